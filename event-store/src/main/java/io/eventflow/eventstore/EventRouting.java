package io.eventflow.eventstore;

import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * How event documents are routed: by aggregate id, so one aggregate's history lives on one shard
 * and a read by aggregate asks that shard alone. Every write of an event document and every get by
 * event id must pass {@link #of}; the event store's mapping requires {@code _routing}, so a write
 * without it fails instead of landing on another shard than its reads ask. Stateless.
 */
public final class EventRouting {
    /**
     * The longest routing a search sends, percent-encoded: it travels in the URL, and Elasticsearch
     * refuses a request line over 4 KiB ({@code http.max_initial_line_length}).
     */
    static final int MAX_SEARCH_ROUTING_CHARS = 3_000;

    private EventRouting() {
    }

    /** The routing of an event document of this aggregate: for writes, gets and mgets. */
    public static String of(String aggregateId) {
        return Objects.requireNonNull(aggregateId, "aggregateId");
    }

    /**
     * The routing of a search for these aggregates' events, or empty to search every shard. A
     * search splits its routing at commas (an index or a get does not), so ids that hold one
     * cannot be named; too many ids to fit the URL are not named either. Searching every shard is
     * slower, never wrong.
     */
    public static Optional<String> forSearch(Collection<String> aggregateIds) {
        if (aggregateIds.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder();
        int encoded = 0;
        for (String id : aggregateIds) {
            if (id.indexOf(',') >= 0) {
                return Optional.empty();
            }
            if (!out.isEmpty()) {
                out.append(',');
                encoded += 3;
            }
            out.append(id);
            encoded += encodedLength(id);
            if (encoded > MAX_SEARCH_ROUTING_CHARS) {
                return Optional.empty();
            }
        }
        return Optional.of(out.toString());
    }

    /** Length in a URL's query: RFC 3986's unreserved characters stay, the others (ids are ASCII) take 3. */
    private static int encodedLength(String id) {
        int n = 0;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
            n += unreserved ? 1 : 3;
        }
        return n;
    }
}
