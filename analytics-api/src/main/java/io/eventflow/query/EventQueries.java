package io.eventflow.query;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOptions;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.CalendarInterval;
import co.elastic.clients.elasticsearch._types.aggregations.DateHistogramBucket;
import co.elastic.clients.elasticsearch._types.aggregations.FieldDateMath;
import co.elastic.clients.elasticsearch._types.aggregations.StringTermsBucket;
import co.elastic.clients.elasticsearch._types.query_dsl.Operator;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.GetResponse;
import co.elastic.clients.elasticsearch.core.SearchRequest;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.elasticsearch.core.search.TotalHitsRelation;
import co.elastic.clients.util.ObjectBuilder;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.eventstore.EventStoreReader;
import io.eventflow.eventstore.PaymentView;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The read side's Elasticsearch queries. Every query of a tenant carries its organization as a
 * filter inside the Elasticsearch request. Thread-safe.
 */
final class EventQueries {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(EventQueries.class);
    private static final String KEEP_ALIVE = "2m";
    private static final int TERMS_SIZE = 100;

    private final ElasticsearchClient client;
    private final EventStoreIndices indices;
    private final EventStoreReader reader;

    EventQueries(ElasticsearchClient client, EventStoreIndices indices) {
        this.client = Objects.requireNonNull(client, "client");
        this.indices = Objects.requireNonNull(indices, "indices");
        this.reader = new EventStoreReader(client, indices);
    }

    /** True when Elasticsearch answers. */
    boolean reachable() {
        try {
            return client.cluster().health(h -> h.timeout(t -> t.time("2s"))) != null;
        } catch (Exception e) {
            log.warn("Elasticsearch health check failed: {}", e.toString());
            return false;
        }
    }

    // ---- filters -------------------------------------------------------------------------

    private static void term(List<Query> filters, String field, String value) {
        if (value != null) {
            filters.add(Query.of(q -> q.term(t -> t.field(field).value(value))));
        }
    }

    private static void range(List<Query> filters, String field, Instant from, Instant to) {
        if (from != null || to != null) {
            filters.add(Query.of(q -> q.range(r -> r.date(d -> {
                d.field(field);
                if (from != null) {
                    d.gte(from.toString());
                }
                if (to != null) {
                    d.lte(to.toString());
                }
                return d;
            }))));
        }
    }

    /** The tenant's organization, plus the one asked for (an admin may ask for any). */
    private static void organization(List<Query> filters, String field, Tenant tenant, String asked) {
        if (!tenant.admin()) {
            term(filters, field, tenant.organizationId());
        }
        term(filters, field, asked);
    }

    private List<Query> eventFilters(Tenant tenant, String aggregateType, String eventType, Instant from, Instant to,
            String organizationId, String userId) {
        List<Query> filters = new ArrayList<>();
        organization(filters, "metadata.organizationId", tenant, organizationId);
        term(filters, "aggregateType", aggregateType);
        term(filters, "eventType", eventType);
        term(filters, "metadata.userId", userId);
        range(filters, "timestamp", from, to);
        return filters;
    }

    // ---- events ----------------------------------------------------------------------------

    Queries.Page search(Tenant tenant, Queries.EventSearch q) throws IOException {
        List<Query> filters = eventFilters(tenant, q.aggregateType(), q.eventType(), q.from(), q.to(), q.organizationId(),
                q.userId());
        Query query = Query.of(x -> x.bool(b -> {
            b.filter(filters);
            if (q.text() != null) {
                // simple_query_string never fails on syntax: odd input matches nothing instead.
                b.must(m -> m.simpleQueryString(s -> s.query(q.text()).fields("eventData.*", "metadata.*")
                        .lenient(true).defaultOperator(Operator.And)));
            }
            return b;
        }));
        Map<String, Object> filtersForCursor = new LinkedHashMap<>();
        filtersForCursor.put("aggregateType", q.aggregateType());
        filtersForCursor.put("eventType", q.eventType());
        filtersForCursor.put("q", q.text());
        filtersForCursor.put("from", q.from() == null ? null : q.from().toString());
        filtersForCursor.put("to", q.to() == null ? null : q.to().toString());
        filtersForCursor.put("organizationId", q.organizationId());
        filtersForCursor.put("userId", q.userId());
        return page(indices.eventsAlias(), query, List.of(sort("timestamp", SortOrder.Desc), sort("eventId", SortOrder.Asc)),
                q.size(), q.cursor(), filtersForCursor, EventDocument.class,
                d -> List.of(d.timestamp().toEpochMilli(), d.eventId()));
    }

    Map<String, Object> stats(Tenant tenant, Queries.EventStats q) throws IOException {
        List<Query> filters = eventFilters(tenant, null, q.eventType(), q.from(), q.to(), q.organizationId(), null);
        SearchResponse<Void> r = client.search(s -> s.index(indices.eventsAlias()).ignoreUnavailable(true).allowNoIndices(true)
                .size(0).trackTotalHits(t -> t.enabled(true)).query(x -> x.bool(b -> b.filter(filters)))
                .aggregations("by_hour", a -> a.dateHistogram(h -> h.field("timestamp").calendarInterval(CalendarInterval.Hour)))
                .aggregations("by_organization", a -> a.terms(t -> t.field("metadata.organizationId").size(TERMS_SIZE)))
                .aggregations("by_user", a -> a.terms(t -> t.field("metadata.userId").size(TERMS_SIZE))), Void.class);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("eventType", q.eventType());
        body.put("from", q.from());
        body.put("to", q.to());
        body.put("total", r.hits().total() == null ? 0 : r.hits().total().value());
        body.put("by_hour", histogram(r.aggregations().get("by_hour")));
        body.put("by_organization", terms(r.aggregations().get("by_organization")));
        body.put("by_user", terms(r.aggregations().get("by_user")));
        return body;
    }

    Map<String, Object> trends(Tenant tenant, Queries.EventTrends q) throws IOException {
        List<Query> filters = eventFilters(tenant, q.aggregateType(), q.eventType(), q.from(), q.to(), q.organizationId(), null);
        CalendarInterval interval = switch (q.interval()) {
            case HOUR -> CalendarInterval.Hour;
            case DAY -> CalendarInterval.Day;
            case WEEK -> CalendarInterval.Week;
            case MONTH -> CalendarInterval.Month;
        };
        SearchResponse<Void> r = client.search(s -> s.index(indices.eventsAlias()).ignoreUnavailable(true).allowNoIndices(true)
                .size(0).query(x -> x.bool(b -> b.filter(filters)))
                .aggregations("trend", a -> a.dateHistogram(h -> {
                    h.field("timestamp").calendarInterval(interval).timeZone(q.zone().getId()).minDocCount(0);
                    if (q.from() != null && q.to() != null) {
                        h.extendedBounds(e -> e.min(FieldDateMath.of(m -> m.value((double) q.from().toEpochMilli())))
                                .max(FieldDateMath.of(m -> m.value((double) q.to().toEpochMilli()))));
                    }
                    return h;
                })), Void.class);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("interval", q.interval().name().toLowerCase());
        body.put("timeZone", q.zone().getId());
        body.put("buckets", histogram(r.aggregations().get("trend")));
        return body;
    }

    Map<String, Object> history(Tenant tenant, Queries.History q) throws IOException {
        List<EventDocument> events = new ArrayList<>();
        for (EventDocument d : reader.history(q.aggregateId())) {
            if (!tenant.admin() && !Objects.equals(tenant.organizationId(), organizationOf(d))) {
                continue;
            }
            if (q.asOf() == null || !d.timestamp().isAfter(q.asOf())) {
                events.add(d);
            }
        }
        if (events.isEmpty()) {
            return null;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("aggregateId", q.aggregateId());
        body.put("asOf", q.asOf());
        body.put("version", events.get(events.size() - 1).version());
        body.put("state", HistoryFold.fold(events));
        body.put("events", events);
        return body;
    }

    private static String organizationOf(EventDocument d) {
        return d.metadata() == null ? null : (String) d.metadata().get("organizationId");
    }

    // ---- payments --------------------------------------------------------------------------

    Optional<PaymentView> payment(Tenant tenant, Queries.PaymentById q) throws IOException {
        if (tenant.admin()) {
            GetResponse<PaymentView> r = client.get(g -> g.index(indices.paymentsAlias()).id(q.paymentId()), PaymentView.class);
            return r.found() ? Optional.ofNullable(r.source()) : Optional.empty();
        }
        // A search, so the organization filter is part of the Elasticsearch query.
        SearchResponse<PaymentView> r = client.search(s -> s.index(indices.paymentsAlias()).ignoreUnavailable(true)
                .allowNoIndices(true).size(1).query(x -> x.bool(b -> b
                        .filter(f -> f.ids(i -> i.values(q.paymentId())))
                        .filter(f -> f.term(t -> t.field("organizationId").value(tenant.organizationId()))))),
                PaymentView.class);
        return r.hits().hits().stream().findFirst().map(Hit::source);
    }

    Queries.Page payments(Tenant tenant, Queries.PaymentSearch q) throws IOException {
        List<Query> filters = new ArrayList<>();
        organization(filters, "organizationId", tenant, q.organizationId());
        term(filters, "status", q.status());
        term(filters, "currency", q.currency());
        range(filters, "processedAt", q.from(), q.to());
        Map<String, Object> filtersForCursor = new LinkedHashMap<>();
        filtersForCursor.put("status", q.status());
        filtersForCursor.put("organizationId", q.organizationId());
        filtersForCursor.put("currency", q.currency());
        filtersForCursor.put("from", q.from() == null ? null : q.from().toString());
        filtersForCursor.put("to", q.to() == null ? null : q.to().toString());
        return page(indices.paymentsAlias(), Query.of(x -> x.bool(b -> b.filter(filters))),
                List.of(sort("processedAt", SortOrder.Desc), sort("paymentId", SortOrder.Asc)), q.size(), q.cursor(),
                filtersForCursor, PaymentView.class,
                v -> List.of(v.processedAt() == null ? Long.MIN_VALUE : v.processedAt().toEpochMilli(), v.paymentId()));
    }

    Map<String, Object> paymentStats(Tenant tenant, Queries.PaymentStats q) throws IOException {
        List<Query> filters = new ArrayList<>();
        organization(filters, "organizationId", tenant, q.organizationId());
        term(filters, "currency", q.currency());
        range(filters, "processedAt", q.from(), q.to());
        SearchResponse<Void> r = client.search(s -> s.index(indices.paymentsAlias()).ignoreUnavailable(true).allowNoIndices(true)
                .size(0).trackTotalHits(t -> t.enabled(true)).query(x -> x.bool(b -> b.filter(filters)))
                .aggregations("by_status", a -> a.terms(t -> t.field("status").size(TERMS_SIZE))
                        .aggregations("by_currency", c -> c.terms(t -> t.field("currency").size(TERMS_SIZE))
                                .aggregations("amount", m -> m.sum(x -> x.field("amount")))))
                .aggregations("refunded", a -> a.filter(f -> f.range(x -> x.number(n -> n.field("refundAmount").gt(0.0))))),
                Void.class);
        long total = r.hits().total() == null ? 0 : r.hits().total().value();
        List<Map<String, Object>> byStatus = new ArrayList<>();
        long failed = 0;
        for (StringTermsBucket status : r.aggregations().get("by_status").sterms().buckets().array()) {
            String name = status.key().stringValue();
            if ("failed".equals(name)) {
                failed = status.docCount();
            }
            List<Map<String, Object>> byCurrency = new ArrayList<>();
            for (StringTermsBucket c : status.aggregations().get("by_currency").sterms().buckets().array()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("currency", c.key().stringValue());
                row.put("count", c.docCount());
                row.put("sum", Math.round(c.aggregations().get("amount").sum().value()));
                byCurrency.add(row);
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("status", name);
            row.put("count", status.docCount());
            row.put("by_currency", byCurrency);
            byStatus.add(row);
        }
        long refunded = r.aggregations().get("refunded").filter().docCount();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", total);
        body.put("by_status", byStatus);
        body.put("failure_rate", total == 0 ? 0.0 : (double) failed / total);
        body.put("refund_rate", total == 0 ? 0.0 : (double) refunded / total);
        return body;
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static SortOptions sort(String field, SortOrder order) {
        return SortOptions.of(o -> o.field(f -> f.field(field).order(order)));
    }

    /**
     * One page of a walk with search_after. The first page is a plain search, so a one-page query
     * costs one search. A walk that goes on opens a point in time on its second page and keeps it,
     * so deep pages stay cheap and see one snapshot. Events are only appended and pages run newest
     * first, so only an old event indexed late, between pages one and two, can fall outside it.
     * The last page closes the point in time.
     */
    private <T> Queries.Page page(String index, Query query, List<SortOptions> sort, int size, Queries.Cursor cursor,
            Map<String, Object> filters, Class<T> type, Function<T, List<Object>> sortValues) throws IOException {
        String pit = cursor == null ? null : cursor.pointInTime();
        if (cursor != null && pit == null) {
            pit = client.openPointInTime(p -> p.index(index).keepAlive(k -> k.time(KEEP_ALIVE))).id();
        }
        String usedPit = pit;
        Function<SearchRequest.Builder, ObjectBuilder<SearchRequest>> request = s -> {
            if (usedPit == null) {
                s.index(index).ignoreUnavailable(true).allowNoIndices(true);
            } else {
                s.pit(p -> p.id(usedPit).keepAlive(k -> k.time(KEEP_ALIVE)));
            }
            // One hit more than the page tells whether another page exists.
            s.query(query).sort(sort).size(size + 1).trackTotalHits(t -> t.enabled(true));
            if (cursor != null) {
                List<FieldValue> after = new ArrayList<>();
                for (Object v : cursor.after()) {
                    after.add(v instanceof Number n ? FieldValue.of(n.longValue()) : FieldValue.of(String.valueOf(v)));
                }
                s.searchAfter(after);
            }
            return s;
        };
        SearchResponse<T> r;
        try {
            r = client.search(request, type);
        } catch (ElasticsearchException e) {
            if (cursor != null && (e.status() == 404 || e.status() == 400)) {
                throw new BadParameterException("cursor", "the cursor has expired or does not fit this query; "
                        + "start again without a cursor");
            }
            throw e;
        }
        List<T> hits = r.hits().hits().stream().map(Hit::source).toList();
        boolean more = hits.size() > size;
        List<T> items = more ? hits.subList(0, size) : hits;
        String nextPit = r.pitId() != null ? r.pitId() : pit;
        String next = null;
        if (more) {
            next = Cursors.encode(filters, new Queries.Cursor(nextPit, sortValues.apply(items.get(items.size() - 1))));
        } else if (nextPit != null) {
            try {
                client.closePointInTime(c -> c.id(nextPit));
            } catch (Exception e) {
                // it expires on its own
            }
        }
        long total = r.hits().total() == null ? items.size() : r.hits().total().value();
        String relation = r.hits().total() != null && r.hits().total().relation() == TotalHitsRelation.Gte ? "gte" : "eq";
        return new Queries.Page(total, relation, items, next);
    }

    private static List<Map<String, Object>> histogram(Aggregate agg) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (DateHistogramBucket b : agg.dateHistogram().buckets().array()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("key", b.keyAsString() != null ? b.keyAsString() : Instant.ofEpochMilli(b.key()).toString());
            row.put("count", b.docCount());
            out.add(row);
        }
        return out;
    }

    private static Map<String, Object> terms(Aggregate agg) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> buckets = new ArrayList<>();
        for (StringTermsBucket b : agg.sterms().buckets().array()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("key", b.key().stringValue());
            row.put("count", b.docCount());
            buckets.add(row);
        }
        out.put("buckets", buckets);
        out.put("other", agg.sterms().sumOtherDocCount());
        return out;
    }
}
