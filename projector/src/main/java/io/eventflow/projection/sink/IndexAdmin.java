package io.eventflow.projection.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchClients;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NByteArrayEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * The index and alias operations of rebuilds and rollbacks, on the low-level REST client so that
 * bodies and answers stay plain JSON. Each index's rebuild record lives in its mapping's
 * {@code _meta.eventflow}, so it travels with the index and needs no extra store. Failures are
 * thrown as they are; callers report them. Thread-safe.
 */
public final class IndexAdmin {
    static final ObjectMapper JSON = ElasticsearchClients.objectMapper();

    /** An index of a model, with its document count and rebuild record (empty for a first index). */
    public record IndexInfo(String name, long docs, Map<String, Object> meta) {
        public String state() {
            Object s = meta.get("state");
            return s == null ? "live-or-original" : s.toString();
        }
    }

    private final RestClient rest;

    public IndexAdmin(RestClient rest) {
        this.rest = Objects.requireNonNull(rest, "rest");
    }

    /** The index the alias writes to (its only index, or the one marked is_write_index). */
    public Optional<String> writeIndex(String alias) throws IOException {
        JsonNode r = call("GET", "/_alias/" + alias, null, true);
        if (r == null) {
            return Optional.empty();
        }
        String only = null;
        for (var it = r.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode a = e.getValue().path("aliases").path(alias);
            if (a.path("is_write_index").asBoolean(false)) {
                return Optional.of(e.getKey());
            }
            only = e.getKey();
        }
        return Optional.ofNullable(only);
    }

    /** The indices named {@code <alias>-*}, sorted by name, with counts and rebuild records. */
    public List<IndexInfo> indices(String alias) throws IOException {
        JsonNode cat = call("GET", "/_cat/indices/" + alias + "-*?format=json&h=index,docs.count&expand_wildcards=open", null, false);
        Map<String, Long> docs = new TreeMap<>();
        for (JsonNode row : cat) {
            docs.put(row.path("index").asText(), row.path("docs.count").asLong(0));
        }
        List<IndexInfo> out = new ArrayList<>();
        for (var e : docs.entrySet()) {
            out.add(new IndexInfo(e.getKey(), e.getValue(), meta(e.getKey())));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> meta(String index) throws IOException {
        JsonNode r = call("GET", "/" + index + "/_mapping", null, true);
        if (r == null) {
            return Map.of();
        }
        JsonNode meta = r.path(index).path("mappings").path("_meta").path("eventflow");
        return meta.isObject() ? JSON.convertValue(meta, Map.class) : new HashMap<>();
    }

    /** Replaces the index's rebuild record. */
    public void putMeta(String index, Map<String, Object> meta) throws IOException {
        call("PUT", "/" + index + "/_mapping", Map.of("_meta", Map.of("eventflow", meta)), false);
    }

    /** Creates the index (its mappings come from the model's template) with these settings and record. */
    public void create(String index, Map<String, Object> settings, Map<String, Object> meta) throws IOException {
        call("PUT", "/" + index, Map.of("settings", settings, "mappings", Map.of("_meta", Map.of("eventflow", meta))),
                false);
    }

    public void putSettings(String index, Map<String, Object> settings) throws IOException {
        call("PUT", "/" + index + "/_settings", Map.of("index", settings), false);
    }

    public void refresh(String index) throws IOException {
        call("POST", "/" + index + "/_refresh", null, false);
    }

    public void delete(String index) throws IOException {
        call("DELETE", "/" + index, null, true);
    }

    /**
     * Moves the alias from one index to another in one {@code _aliases} call. {@code must_exist}
     * makes the call fail, changing nothing, if someone moved the alias meanwhile.
     */
    public void swap(String alias, String from, String to) throws IOException {
        call("POST", "/_aliases", Map.of("actions", List.of(
                Map.of("remove", Map.of("index", from, "alias", alias, "must_exist", true)),
                Map.of("add", Map.of("index", to, "alias", alias, "is_write_index", true)))), false);
    }

    /** Per partition, the highest topic offset any document of the index records. */
    public Map<Integer, Long> maxPositions(String index) throws IOException {
        JsonNode r = call("POST", "/" + index + "/_search", Map.of("size", 0, "aggs", Map.of("p", Map.of(
                "terms", Map.of("field", "position.partition", "size", 10_000),
                "aggs", Map.of("max", Map.of("max", Map.of("field", "position.offset")))))), false);
        Map<Integer, Long> out = new HashMap<>();
        for (JsonNode b : r.path("aggregations").path("p").path("buckets")) {
            out.put(b.path("key").asInt(), (long) b.path("max").path("value").asDouble());
        }
        return out;
    }

    /** The raw answer of a request, or null when {@code allow404} and the answer was 404. */
    public JsonNode call(String method, String path, Object body, boolean allow404) throws IOException {
        Request request = new Request(method, path);
        if (body != null) {
            request.setEntity(new NByteArrayEntity(JSON.writeValueAsBytes(body), ContentType.APPLICATION_JSON));
        }
        Response response;
        try {
            response = rest.performRequest(request);
        } catch (ResponseException e) {
            if (allow404 && e.getResponse().getStatusLine().getStatusCode() == 404) {
                return null;
            }
            throw e;
        }
        if (response.getEntity() == null) {
            return JSON.createObjectNode();
        }
        try (InputStream in = response.getEntity().getContent()) {
            return JSON.readTree(in);
        }
    }
}
