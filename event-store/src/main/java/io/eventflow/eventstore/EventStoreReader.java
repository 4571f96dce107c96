package io.eventflow.eventstore;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import java.io.IOException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Reads an aggregate's events from the event store, in version order. Thread-safe. */
public final class EventStoreReader {
    private static final int PAGE = 1_000;

    private final ElasticsearchClient client;
    private final EventStoreIndices indices;

    public EventStoreReader(ElasticsearchClient client, EventStoreIndices indices) {
        this.client = Objects.requireNonNull(client, "client");
        this.indices = Objects.requireNonNull(indices, "indices");
    }

    /**
     * All indexed events of one aggregate, ascending by version; empty when none are indexed (or
     * the index does not exist yet). Pages with search_after, so long histories are complete.
     */
    public List<EventDocument> history(String aggregateId) throws IOException {
        List<EventDocument> events = new ArrayList<>();
        Long after = null;
        while (true) {
            Long searchAfter = after;
            SearchResponse<EventDocument> page = client.search(s -> {
                s.index(indices.eventsAlias())
                        .ignoreUnavailable(true).allowNoIndices(true)
                        .query(q -> q.term(t -> t.field("aggregateId").value(aggregateId)))
                        .sort(o -> o.field(f -> f.field("version").order(SortOrder.Asc)))
                        .size(PAGE);
                if (searchAfter != null) {
                    s.searchAfter(v -> v.longValue(searchAfter));
                }
                return s;
            }, EventDocument.class);
            List<Hit<EventDocument>> hits = page.hits().hits();
            hits.forEach(h -> events.add(h.source()));
            if (hits.size() < PAGE) {
                return events;
            }
            after = hits.get(hits.size() - 1).source().version();
        }
    }

    /**
     * The indexed events of several aggregates in one paged search, each list ascending by version.
     * Aggregates with no indexed events are absent from the map. Used to hydrate a whole poll's worth
     * of aggregates at once instead of one search per command.
     */
    public Map<String, List<EventDocument>> histories(Collection<String> aggregateIds) throws IOException {
        Map<String, List<EventDocument>> out = new HashMap<>();
        if (aggregateIds.isEmpty()) {
            return out;
        }
        List<FieldValue> ids = aggregateIds.stream().distinct().map(FieldValue::of).toList();
        List<FieldValue> after = null;
        while (true) {
            List<FieldValue> searchAfter = after;
            SearchResponse<EventDocument> page = client.search(s -> {
                s.index(indices.eventsAlias())
                        .ignoreUnavailable(true).allowNoIndices(true)
                        .query(q -> q.terms(t -> t.field("aggregateId").terms(v -> v.value(ids))))
                        .sort(o -> o.field(f -> f.field("aggregateId").order(SortOrder.Asc)))
                        .sort(o -> o.field(f -> f.field("version").order(SortOrder.Asc)))
                        .trackTotalHits(t -> t.enabled(false))
                        .size(PAGE);
                if (searchAfter != null) {
                    s.searchAfter(searchAfter);
                }
                return s;
            }, EventDocument.class);
            List<Hit<EventDocument>> hits = page.hits().hits();
            for (Hit<EventDocument> h : hits) {
                out.computeIfAbsent(h.source().aggregateId(), k -> new ArrayList<>()).add(h.source());
            }
            if (hits.size() < PAGE) {
                return out;
            }
            EventDocument last = hits.get(hits.size() - 1).source();
            after = List.of(FieldValue.of(last.aggregateId()), FieldValue.of(last.version()));
        }
    }
}
