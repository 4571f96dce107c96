package io.eventflow.eventstore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The settings one model's index template gives its new indices: {@code number_of_shards},
 * {@code number_of_replicas} and {@code refresh_interval}. Existing indices keep theirs; a rebuild
 * creates its index with these. Immutable.
 *
 * @param shards number_of_shards, 1 to {@value #MAX_SHARDS}
 * @param replicas number_of_replicas, 0 or more (0 for a single node)
 * @param refreshInterval an Elasticsearch time value ({@code 1s}, {@code 500ms}, {@code -1} for off),
 *     or null to leave it out: Elasticsearch's default, search-idle aware (ADR 0012)
 */
public record IndexSettings(int shards, int replicas, String refreshInterval) {
    /** Elasticsearch's own limit on number_of_shards. */
    public static final int MAX_SHARDS = 1024;

    private static final Pattern TIME_VALUE = Pattern.compile("-1|0|[0-9]+(nanos|micros|ms|s|m|h|d)");

    public IndexSettings {
        if (shards < 1 || shards > MAX_SHARDS) {
            throw new IllegalArgumentException("shards must be 1 to " + MAX_SHARDS + ", not " + shards);
        }
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must be at least 0, not " + replicas);
        }
        if (refreshInterval != null && !isTimeValue(refreshInterval)) {
            throw new IllegalArgumentException("refreshInterval must be a time value such as 1s, 500ms or -1, not '"
                    + refreshInterval + "'");
        }
    }

    /** One shard, Elasticsearch's refresh default and {@code replicas}: the settings every template had so far. */
    public static IndexSettings defaults(int replicas) {
        return new IndexSettings(1, replicas, null);
    }

    /** True when {@code value} is a time value Elasticsearch takes as a refresh_interval. */
    public static boolean isTimeValue(String value) {
        return value != null && TIME_VALUE.matcher(value).matches();
    }

    /** The {@code settings} object of an index template or create-index request. */
    public Map<String, Object> asMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("number_of_shards", shards);
        out.put("number_of_replicas", replicas);
        if (refreshInterval != null) {
            out.put("refresh_interval", refreshInterval);
        }
        return out;
    }

    String toJson() {
        try {
            return ElasticsearchClients.objectMapper().writeValueAsString(asMap());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "shards=" + shards + " replicas=" + replicas + " refresh_interval="
                + Objects.requireNonNullElse(refreshInterval, "default");
    }
}
