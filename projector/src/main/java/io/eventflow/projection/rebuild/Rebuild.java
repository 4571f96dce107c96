package io.eventflow.projection.rebuild;

import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.eventstore.IndexSettings;
import io.eventflow.projection.ProjectorConfig;
import io.eventflow.projection.sink.ElasticsearchProjection;
import io.eventflow.projection.sink.IndexAdmin;
import java.io.IOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds one model (the event store or the payments read model) into a new versioned index while
 * the live projector and reads go on:
 * <ol>
 *   <li>create {@code <alias>-v<n+1>} from the current template, with the model's configured shard
 *       count ({@code elasticsearch.index.<model>.shards}), refresh off and no replicas;</li>
 *   <li>replay the events topic from the beginning with its own consumer group, in phases that end
 *       at the end offsets seen when they start, until one ends within {@code rebuild.max.lag};</li>
 *   <li>verify the new index against the live one as of that phase's end offsets (the cut): once
 *       the live group has committed past the cut, compare document counts and a checksum over
 *       (id, version), leaving out documents the live projector moved past the cut;</li>
 *   <li>catch up once more so that the new index is at least as far as the live one, then move the
 *       alias with one {@code _aliases} call (remove old, add new as write index);</li>
 *   <li>replay to the end offsets seen after the swap, which covers what the live projector wrote to
 *       the old index just before it. Every write is idempotent, so the overlap is harmless.</li>
 * </ol>
 * The old index is kept, marked retired, for {@code rollback} or {@code cleanup}. Until the swap
 * the alias is untouched, whatever fails.
 */
public final class Rebuild {
    private static final Logger log = LoggerFactory.getLogger(Rebuild.class);
    private static final Pattern VERSION = Pattern.compile("-v(\\d+)$");

    private final RebuildContext ctx;
    private final boolean allowTruncated;

    /**
     * @param allowTruncated rebuild from what is left when the topic no longer starts at offset 0,
     *     with a warning, instead of refusing
     */
    public Rebuild(RebuildContext ctx, boolean allowTruncated) {
        this.ctx = Objects.requireNonNull(ctx, "ctx");
        this.allowTruncated = allowTruncated;
    }

    /** Runs a rebuild of {@code model}; returns the process exit status (0 = swapped and caught up). */
    public int run(String model) throws IOException {
        Map<TopicPartition, Long> first = ctx.offsets().earliest();
        Optional<String> truncated = truncation(first);
        if (truncated.isPresent()) {
            if (!allowTruncated) {
                ctx.say("cannot rebuild %s: %s. Nothing was changed. Rerun with --allow-truncated to rebuild from "
                        + "what is left.", model, truncated.get());
                return 1;
            }
            ctx.say("warning: %s; rebuilding from what is left (--allow-truncated)", truncated.get());
        }
        EventStoreIndices indices = ctx.wiring().indices();
        ProjectorConfig config = ctx.wiring().config();
        indices.ensure(ctx.wiring().elasticsearch(), config::indexSettings);
        IndexSettings settings = config.indexSettings(model);
        String alias = indices.alias(model);
        String live = ctx.admin().writeIndex(alias)
                .orElseThrow(() -> new IllegalStateException("alias " + alias + " points to no index"));
        List<IndexAdmin.IndexInfo> existing = ctx.admin().indices(alias);
        for (IndexAdmin.IndexInfo i : existing) {
            if ("building".equals(i.state()) || "verifying".equals(i.state())) {
                ctx.say("cannot rebuild %s: %s is a rebuild in state %s. If no rebuild is running, delete it with "
                        + "'cleanup %s' and start again.", alias, i.name(), i.state(), model);
                return 1;
            }
        }
        String target = indices.versionedIndex(model, nextVersion(existing));
        String topic = String.join(",", ctx.offsets().topics());
        String group = ctx.rebuildGroup(target);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model", model);
        meta.put("state", "building");
        meta.put("topic", topic);
        meta.put("group", group);
        meta.put("source", live);
        meta.put("createdAt", Instant.now(ctx.clock()).toString());
        // The shard count is fixed at creation, so this is where a rebuild changes it; replicas and refresh
        // follow once the replay is done.
        ctx.admin().create(target, Map.of("number_of_shards", settings.shards(), "number_of_replicas", 0,
                "refresh_interval", "-1"), meta);

        Map<TopicPartition, Long> start = ctx.offsets().earliest();
        Map<TopicPartition, Long> end = ctx.offsets().latest();
        ctx.say("rebuilding %s: live index %s, new index %s (%d shards); replaying %s (%d partitions, %,d records) "
                + "as group %s", alias, live, target, settings.shards(), topic, start.size(),
                TopicOffsets.sum(end) - TopicOffsets.sum(start), group);
        var targets = ElasticsearchProjection.Targets.only(model, target, indices);
        Replay replay = new Replay(ctx.wiring(), ctx.offsets(), ctx.out(), ctx.clock(),
                ctx.tunables().stallTimeout(), ctx.tunables().progressInterval(), target, start);
        boolean swapped = false;
        try {
            Map<TopicPartition, Long> at = catchUp(replay, start, group, targets);
            long replayed = replay.recordsTo(at);
            double replaySeconds = replay.elapsedMillis() / 1000.0;
            ctx.say("replayed %,d records in %.1f s (%,.0f records/s)", replayed, replaySeconds,
                    replayed / Math.max(0.001, replaySeconds));
            // Back to the template's refresh_interval; unset, Elasticsearch's default: refreshed every
            // second while searched, and not at all while idle (ADR 0012).
            Map<String, Object> serving = new LinkedHashMap<>();
            serving.put("refresh_interval", settings.refreshInterval());
            serving.put("number_of_replicas", settings.replicas());
            ctx.admin().putSettings(target, serving);
            meta.put("state", "verifying");
            ctx.admin().putMeta(target, meta);
            verify(live, target, at);

            at = closeTheGap(replay, at, group, targets, live);
            Map<TopicPartition, Long> liveAtSwap = ctx.offsets().committed(ctx.liveGroup());
            ctx.admin().refresh(target);
            ctx.admin().swap(alias, live, target);
            swapped = true;
            meta.put("state", "live");
            meta.put("previous", live);
            meta.put("swappedAt", Instant.now(ctx.clock()).toString());
            meta.put("liveOffsetsAtSwap", RebuildContext.byPartition(liveAtSwap));
            ctx.admin().putMeta(target, meta);
            Map<String, Object> old = new LinkedHashMap<>(ctx.admin().meta(live));
            old.put("state", "retired");
            old.put("replacedBy", target);
            ctx.admin().putMeta(live, old);
            ctx.say("swapped alias %s: %s -> %s in one _aliases call; %s is kept for rollback", alias, live, target,
                    live);

            Map<TopicPartition, Long> after = ctx.offsets().latest();
            replay.phase(at, after, group, targets);
            long records = replay.recordsTo(after);
            double seconds = replay.elapsedMillis() / 1000.0;
            ctx.offsets().deleteGroup(group);
            ctx.say("rebuild of %s done: %,d records replayed in %.1f s (%,.0f records/s); alias %s -> %s", model,
                    records, seconds, records / Math.max(0.001, seconds), alias, target);
            return 0;
        } catch (Replay.ReplayException | IOException | RuntimeException | VerificationException e) {
            log.warn("rebuild of {} into {} failed", model, target, e);
            fail(alias, live, target, meta, swapped, e);
            return 1;
        }
    }

    /** Phases until one ends within max.lag of the end of the topic; returns where the last one ended. */
    private Map<TopicPartition, Long> catchUp(Replay replay, Map<TopicPartition, Long> from, String group,
            ElasticsearchProjection.Targets targets) throws Replay.ReplayException {
        Map<TopicPartition, Long> at = from;
        while (true) {
            Map<TopicPartition, Long> to = ctx.offsets().latest();
            replay.phase(at, to, group, targets);
            at = to;
            long behind = TopicOffsets.sum(ctx.offsets().latest()) - TopicOffsets.sum(at);
            if (behind <= ctx.tunables().maxLag()) {
                ctx.say("caught up to within %,d records of the end (rebuild.max.lag %,d) at offsets %s", behind,
                        ctx.tunables().maxLag(), RebuildContext.byPartition(at));
                return at;
            }
        }
    }

    /**
     * Verifies the new index against the live one as of {@code cut}.
     *
     * @throws VerificationException when they differ or the live projector does not reach the cut
     */
    private void verify(String live, String target, Map<TopicPartition, Long> cut)
            throws IOException, VerificationException {
        long deadline = ctx.clock().millis() + ctx.tunables().verifyTimeout().toMillis();
        Map<TopicPartition, Long> liveAt;
        while (true) {
            liveAt = ctx.offsets().committed(ctx.liveGroup());
            if (reached(liveAt, cut)) {
                break;
            }
            if (ctx.clock().millis() >= deadline) {
                throw new VerificationException("the live projector (group " + ctx.liveGroup() + ") is at offsets "
                        + RebuildContext.byPartition(liveAt) + ", still behind the cut " + RebuildContext.byPartition(cut)
                        + " after " + ctx.tunables().verifyTimeout().toSeconds() + " s; is it running?");
            }
            sleep(200);
        }
        ctx.admin().refresh(live);
        ctx.admin().refresh(target);
        IndexChecksum.Cut at = new IndexChecksum.Cut(cut, topicsByType(), ctx.offsets().topics());
        Set<String> movedOn = new HashSet<>();
        IndexChecksum.Result old = IndexChecksum.scan(ctx.admin(), live, at, movedOn, Set.of());
        IndexChecksum.Result now = IndexChecksum.scan(ctx.admin(), target, at, new HashSet<>(), movedOn);
        ctx.say("verify at offsets %s: live %s has %,d documents (checksum %016x; %,d past the cut left out), "
                + "new %s has %,d (checksum %016x)", RebuildContext.byPartition(cut), live, old.count(),
                old.checksum(), old.beyondCut(), target, now.count(), now.checksum());
        if (old.count() != now.count() || old.checksum() != now.checksum()) {
            throw new VerificationException("verification failed: the new index " + target + " has " + now.count()
                    + " documents with checksum " + Long.toHexString(now.checksum()) + ", the live index " + live
                    + " has " + old.count() + " with checksum " + Long.toHexString(old.checksum())
                    + " as of the same offsets");
        }
        ctx.say("verified: same documents and versions as of the same offsets");
    }

    /**
     * Catches up until the new index holds every position the live one does, so that reads through
     * the alias never go back in time at the swap; after swap.wait it swaps anyway, and the final
     * phase fills in what the live index had.
     */
    private Map<TopicPartition, Long> closeTheGap(Replay replay, Map<TopicPartition, Long> from, String group,
            ElasticsearchProjection.Targets targets, String live) throws Replay.ReplayException, IOException {
        long deadline = ctx.clock().millis() + ctx.tunables().swapWait().toMillis();
        Map<TopicPartition, Long> at = from;
        while (true) {
            Map<TopicPartition, Long> to = ctx.offsets().latest();
            replay.phase(at, to, group, targets);
            at = to;
            ctx.admin().refresh(live);
            Map<Integer, Long> liveMax = ctx.admin().maxPositions(live);
            boolean ahead = true;
            for (var e : at.entrySet()) {
                if (liveMax.getOrDefault(e.getKey().partition(), -1L) >= e.getValue()) {
                    ahead = false;
                }
            }
            if (ahead) {
                return at;
            }
            if (ctx.clock().millis() >= deadline) {
                ctx.say("the live index kept moving; swapping after %d s at offsets %s",
                        ctx.tunables().swapWait().toSeconds(), RebuildContext.byPartition(at));
                return at;
            }
        }
    }

    private void fail(String alias, String live, String target, Map<String, Object> meta, boolean swapped, Exception e) {
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof Replay.ReplayException && e.getCause() == null) {
            reason += elasticsearchState();
        }
        boolean marked = false;
        try {
            if (!swapped) {
                meta.put("state", "failed");
            }
            meta.put("error", reason);
            ctx.admin().putMeta(target, meta);
            marked = true;
        } catch (IOException | RuntimeException ignored) {
            // Elasticsearch may be the reason; the report below says what is known
        }
        if (swapped) {
            ctx.say("REBUILD INCOMPLETE: the alias %s already points to %s, but the final catch-up failed: %s. "
                    + "Events the live projector wrote to %s just before the swap may be missing from %s; "
                    + "run 'rollback' to go back to %s.", alias, target, reason, live, target, live);
        } else {
            // Unmarked, the index still says "building", and cleanup cannot tell it from a running rebuild.
            ctx.say("REBUILD FAILED: %s. The alias %s was not touched and still points to %s. The partial index %s "
                    + "is kept for inspection; delete it with %s.", reason, alias, live, target,
                    marked ? "'cleanup'" : "'cleanup --force' (its state could not be set to failed)");
        }
    }

    private String elasticsearchState() {
        try {
            ctx.admin().call("GET", "/_cluster/health", null, false);
            return " (Elasticsearch answers; see the projector's log for the failing requests)";
        } catch (IOException | RuntimeException e) {
            return "; Elasticsearch is unreachable: " + e.getMessage();
        }
    }

    private static boolean reached(Map<TopicPartition, Long> at, Map<TopicPartition, Long> cut) {
        for (var e : cut.entrySet()) {
            if (e.getValue() > 0 && at.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Why a replay from the start of the topic would miss events: the partitions whose first offset
     * is above 0, with that offset; empty when every partition starts at 0.
     */
    static Optional<String> truncation(Map<TopicPartition, Long> earliest) {
        Map<String, Map<TopicPartition, Long>> byTopic = new java.util.TreeMap<>();
        earliest.forEach((tp, offset) -> {
            if (offset > 0) {
                byTopic.computeIfAbsent(tp.topic(), t -> new LinkedHashMap<>()).put(tp, offset);
            }
        });
        if (byTopic.isEmpty()) {
            return Optional.empty();
        }
        List<String> topics = new java.util.ArrayList<>();
        byTopic.forEach((topic, first) -> topics.add("topic " + topic + " no longer starts at offset 0 "
                + "(partition=first offset: " + RebuildContext.byPartition(first) + ")"));
        return Optional.of(String.join("; ", topics) + "; the events before those offsets were deleted (retention or "
                + "deleteRecords) and a replay would miss them");
    }

    /** Each running aggregate type's events topic, by its envelope name: where documents without a topic came from. */
    private Map<String, String> topicsByType() {
        Map<String, String> out = new LinkedHashMap<>();
        ctx.wiring().lanes().forEach(l -> out.put(l.type().names().type(), l.eventsTopic()));
        return out;
    }

    static int nextVersion(List<IndexAdmin.IndexInfo> existing) {
        int max = existing.isEmpty() ? 0 : 1;
        for (IndexAdmin.IndexInfo i : existing) {
            Matcher m = VERSION.matcher(i.name());
            if (m.find()) {
                max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        }
        return max + 1;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The new index does not match the live one, or could not be compared. */
    static final class VerificationException extends Exception {
        VerificationException(String message) {
            super(message);
        }
    }
}
