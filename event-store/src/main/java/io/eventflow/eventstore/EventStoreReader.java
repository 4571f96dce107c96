package io.eventflow.eventstore;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
}
