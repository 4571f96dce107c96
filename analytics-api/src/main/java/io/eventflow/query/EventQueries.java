package io.eventflow.query;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.GetResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.eventstore.EventStoreReader;
import io.eventflow.eventstore.PaymentView;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The read side's Elasticsearch queries. Thread-safe. */
final class EventQueries {
    /** One page of search results; {@code total} counts all matches (exact up to 10,000). */
    record SearchResult(long total, List<EventDocument> events) {
    }

    private final ElasticsearchClient client;
    private final EventStoreIndices indices;
    private final EventStoreReader reader;

    EventQueries(ElasticsearchClient client, EventStoreIndices indices) {
        this.client = Objects.requireNonNull(client, "client");
        this.indices = Objects.requireNonNull(indices, "indices");
        this.reader = new EventStoreReader(client, indices);
    }

    Optional<PaymentView> payment(String paymentId) throws IOException {
        GetResponse<PaymentView> r = client.get(g -> g.index(indices.paymentsAlias()).id(paymentId), PaymentView.class);
        return r.found() ? Optional.ofNullable(r.source()) : Optional.empty();
    }

    List<EventDocument> history(String aggregateId) throws IOException {
        return reader.history(aggregateId);
    }

    /** The seed's searchEvents: filters by type and time range, newest first. Null filters are ignored. */
    SearchResult search(String aggregateType, String eventType, Instant from, Instant to, int size) throws IOException {
        List<Query> filters = new ArrayList<>();
        if (aggregateType != null) {
            filters.add(Query.of(q -> q.term(t -> t.field("aggregateType").value(aggregateType))));
        }
        if (eventType != null) {
            filters.add(Query.of(q -> q.term(t -> t.field("eventType").value(eventType))));
        }
        if (from != null || to != null) {
            filters.add(Query.of(q -> q.range(r -> r.date(d -> {
                d.field("timestamp");
                if (from != null) {
                    d.gte(from.toString());
                }
                if (to != null) {
                    d.lte(to.toString());
                }
                return d;
            }))));
        }
        SearchResponse<EventDocument> r = client.search(s -> s.index(indices.eventsAlias())
                .ignoreUnavailable(true).allowNoIndices(true)
                .query(q -> q.bool(b -> b.filter(filters)))
                .sort(o -> o.field(f -> f.field("timestamp").order(SortOrder.Desc)))
                .sort(o -> o.field(f -> f.field("eventId").order(SortOrder.Asc)))
                .trackTotalHits(t -> t.enabled(true))
                .size(size), EventDocument.class);
        List<EventDocument> events = r.hits().hits().stream().map(Hit::source).toList();
        long total = r.hits().total() == null ? events.size() : r.hits().total().value();
        return new SearchResult(total, events);
    }
}
