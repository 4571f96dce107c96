package io.eventflow.eventstore;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads an aggregate's events from the event store, in version order, paging with search_after so
 * long histories are complete. Every filter goes into the Elasticsearch query; nothing is dropped
 * after the fact. A read names its aggregates' routing ({@link EventRouting}), so it asks only their
 * shards. Thread-safe.
 */
public final class EventStoreReader {
    /** Hits per search unless told otherwise. */
    public static final int DEFAULT_PAGE_SIZE = 1_000;

    private final ElasticsearchClient client;
    private final EventStoreIndices indices;
    private final int pageSize;

    public EventStoreReader(ElasticsearchClient client, EventStoreIndices indices) {
        this(client, indices, DEFAULT_PAGE_SIZE);
    }

    /** @param pageSize hits per search, 1 to 10,000 (Elasticsearch's result window) */
    public EventStoreReader(ElasticsearchClient client, EventStoreIndices indices, int pageSize) {
        this.client = Objects.requireNonNull(client, "client");
        this.indices = Objects.requireNonNull(indices, "indices");
        if (pageSize < 1 || pageSize > 10_000) {
            throw new IllegalArgumentException("pageSize must be 1 to 10000, not " + pageSize);
        }
        this.pageSize = pageSize;
    }

    /**
     * All indexed events of one aggregate, ascending by version; empty when none are indexed (or
     * the index does not exist yet).
     */
    public List<EventDocument> history(String aggregateId) throws IOException {
        return history(aggregateId, null, null);
    }

    /**
     * The indexed events of one aggregate that one organization may see, up to an instant,
     * ascending by version (then by event id). Both bounds are filters inside the Elasticsearch
     * query, so every page holds only what the caller may see and paging stays complete.
     *
     * @param organizationId only events whose {@code metadata.organizationId} is this; null for all
     *     (an admin)
     * @param asOf only events whose {@code timestamp} is at or before this; null for no bound
     * @return empty when nothing matches (or the index does not exist yet)
     */
    public List<EventDocument> history(String aggregateId, String organizationId, Instant asOf) throws IOException {
        Objects.requireNonNull(aggregateId, "aggregateId");
        List<Query> filters = new ArrayList<>();
        filters.add(Query.of(q -> q.term(t -> t.field("aggregateId").value(aggregateId))));
        if (organizationId != null) {
            filters.add(Query.of(q -> q.term(t -> t.field("metadata.organizationId").value(organizationId))));
        }
        if (asOf != null) {
            filters.add(Query.of(q -> q.range(r -> r.date(d -> d.field("timestamp").lte(asOf.toString())))));
        }
        List<EventDocument> events = new ArrayList<>();
        // eventId breaks ties, so two documents of one version (two aggregate types sharing an id,
        // say) are never skipped at a page boundary.
        searchAll(Query.of(q -> q.bool(b -> b.filter(filters))), EventRouting.forSearch(List.of(aggregateId)),
                List.of("version", "eventId"), d -> List.of(FieldValue.of(d.version()), FieldValue.of(d.eventId())),
                events::add, null);
        return events;
    }

    /**
     * The indexed events of several aggregates of one aggregate type in one paged search, each list
     * ascending by version. Only events whose {@code aggregateType} is {@code aggregateType} count: ids
     * are unique within a type, not across types. Aggregates with no indexed events are absent from
     * the map. Used to hydrate a whole poll's worth of aggregates at once instead of one search per command.
     *
     * @param aggregateType the envelopes' {@code aggregateType}, e.g. {@code Payment}
     */
    public Map<String, List<EventDocument>> histories(String aggregateType, Collection<String> aggregateIds)
            throws IOException {
        return histories(aggregateType, aggregateIds, null);
    }

    /**
     * As {@link #histories(String, Collection)}, giving up when {@code budget} has passed before the next
     * page is asked for: then it throws a {@link java.net.SocketTimeoutException}, a transient
     * failure like any other timeout. Each request is bounded by the client's own timeouts.
     *
     * @param budget null for none
     */
    public Map<String, List<EventDocument>> histories(String aggregateType, Collection<String> aggregateIds,
            Duration budget) throws IOException {
        Objects.requireNonNull(aggregateType, "aggregateType");
        Long deadline = budget == null ? null : System.nanoTime() + budget.toNanos();
        Map<String, List<EventDocument>> out = new HashMap<>();
        if (aggregateIds.isEmpty()) {
            return out;
        }
        List<String> distinct = aggregateIds.stream().distinct().toList();
        List<FieldValue> ids = distinct.stream().map(FieldValue::of).toList();
        searchAll(Query.of(q -> q.bool(b -> b
                        .filter(f -> f.term(t -> t.field("aggregateType").value(aggregateType)))
                        .filter(f -> f.terms(t -> t.field("aggregateId").terms(v -> v.value(ids)))))),
                EventRouting.forSearch(distinct), List.of("aggregateId", "version"),
                d -> List.of(FieldValue.of(d.aggregateId()), FieldValue.of(d.version())),
                d -> out.computeIfAbsent(d.aggregateId(), k -> new ArrayList<>()).add(d), deadline);
        return out;
    }

    /**
     * Every event document matching {@code query}, ascending by {@code sortFields}, page by page
     * with search_after; {@code afterOf} gives a document's values of those fields. {@code routing}
     * names the shards of the aggregates asked for ({@link EventRouting}; empty: every shard).
     * {@code deadlineNanos} (System.nanoTime, null for none) bounds each page's request, and no page
     * starts after it.
     */
    private void searchAll(Query query, Optional<String> routing, List<String> sortFields,
            Function<EventDocument, List<FieldValue>> afterOf,
            Consumer<EventDocument> sink, Long deadlineNanos) throws IOException {
        SearchAfterPages.forEach(pageSize, (searchAfter, size) -> {
            ElasticsearchClient c = client;
            if (deadlineNanos != null) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    throw new SocketTimeoutException("reading event histories took longer than its deadline");
                }
                c = ElasticsearchClients.withRequestTimeout(client, Duration.ofNanos(remaining));
            }
            SearchResponse<EventDocument> page = c.search(s -> {
                s.index(indices.eventsAlias())
                        .ignoreUnavailable(true).allowNoIndices(true)
                        .query(query)
                        .trackTotalHits(t -> t.enabled(false))
                        .size(size);
                routing.ifPresent(s::routing);
                sortFields.forEach(field -> s.sort(o -> o.field(f -> f.field(field).order(SortOrder.Asc))));
                if (searchAfter != null) {
                    s.searchAfter(searchAfter);
                }
                return s;
            }, EventDocument.class);
            return page.hits().hits().stream().map(Hit::source).toList();
        }, afterOf, sink);
    }
}
