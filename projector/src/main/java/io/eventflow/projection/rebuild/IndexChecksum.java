package io.eventflow.projection.rebuild;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventflow.projection.sink.IndexAdmin;
import java.io.IOException;
import io.eventflow.eventstore.SearchAfterPages;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * The document count and an order-independent checksum over (id, version) of an index as of a
 * set of topic offsets (the cut). Documents whose recorded position is at or beyond the cut are
 * left out and their ids collected, so that the other index can leave the same ids out: a payment
 * the live projector moved past the cut cannot be compared with its rebuilt state at the cut.
 * Scans a point in time, so concurrent writes do not move documents under the scan.
 */
final class IndexChecksum {
    private static final int PAGE = 10_000;
    private static final List<String> FIELDS = List.of("version", "aggregateType", "position.topic",
            "position.partition", "position.offset");

    /**
     * The offsets a comparison is made at, per topic partition, and how to tell which topic a
     * document's position is on when it does not say (documents written before positions named
     * their topic): by its aggregate type, else the one topic of the model.
     *
     * @param offsets per partition, the first offset not included
     * @param topicsByType each aggregate type's events topic, by envelope name
     * @param topics the topics of the model
     */
    record Cut(Map<TopicPartition, Long> offsets, Map<String, String> topicsByType, List<String> topics) {
        Cut {
            offsets = Map.copyOf(offsets);
            topicsByType = Map.copyOf(topicsByType);
            topics = List.copyOf(topics);
        }

        /** Whether a document at this position is at or past the cut. */
        boolean past(JsonNode fields) {
            JsonNode partition = fields.path("position.partition").path(0);
            JsonNode offset = fields.path("position.offset").path(0);
            if (partition.isMissingNode() || offset.isMissingNode()) {
                return false;
            }
            String topic = fields.path("position.topic").path(0).asText(null);
            if (topic == null) {
                String type = fields.path("aggregateType").path(0).asText(null);
                topic = type != null ? topicsByType.get(type) : topics.size() == 1 ? topics.get(0) : null;
            }
            if (topic == null) {
                return false;
            }
            return offset.asLong() >= offsets.getOrDefault(new TopicPartition(topic, partition.asInt()), 0L);
        }
    }

    /** @param count documents compared; @param beyondCut documents left out as past the cut or excluded */
    record Result(long count, long checksum, long beyondCut) {
    }

    private IndexChecksum() {
    }

    /**
     * @param cut per partition, the first offset not included
     * @param beyond receives the ids of documents at or past the cut
     * @param exclude ids to leave out (those another scan found past the cut)
     */
    static Result scan(IndexAdmin admin, String index, Cut cut, Set<String> beyond, Set<String> exclude)
            throws IOException {
        Objects.requireNonNull(cut, "cut");
        String[] pit = {admin.call("POST", "/" + index + "/_pit?keep_alive=2m", null, false).path("id").asText()};
        long[] totals = new long[3]; // count, sum, left out
        try {
            SearchAfterPages.<JsonNode, JsonNode>forEach(PAGE, (after, size) -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("pit", Map.of("id", pit[0], "keep_alive", "2m"));
                body.put("size", size);
                body.put("sort", List.of(Map.of("_shard_doc", "asc")));
                body.put("_source", false);
                body.put("docvalue_fields", FIELDS);
                body.put("track_total_hits", false);
                if (after != null) {
                    body.put("search_after", after);
                }
                JsonNode r = admin.call("POST", "/_search", body, false);
                pit[0] = r.path("pit_id").asText(pit[0]);
                List<JsonNode> hits = new ArrayList<>();
                r.path("hits").path("hits").forEach(hits::add);
                return hits;
            }, hit -> hit.path("sort"), hit -> {
                String id = hit.path("_id").asText();
                JsonNode f = hit.path("fields");
                boolean past = cut.past(f);
                if (past || exclude.contains(id)) {
                    if (past) {
                        beyond.add(id);
                    }
                    totals[2]++;
                    return;
                }
                totals[0]++;
                totals[1] += hash(id, f.path("version").path(0).asLong());
            });
        } finally {
            try {
                admin.call("DELETE", "/_pit", Map.of("id", pit[0]), true);
            } catch (IOException e) {
                // it expires by itself
            }
        }
        long count = totals[0];
        long sum = totals[1];
        long left = totals[2];
        return new Result(count, sum, left);
    }

    /** FNV-1a over the id and version, finished with the SplitMix64 mixer; summed, so order does not matter. */
    static long hash(String id, long version) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ version) * 0x100000001b3L;
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
