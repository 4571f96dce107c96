package io.eventflow.query;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.GetResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.eventstore.EventStoreReader;
import io.eventflow.eventstore.PaymentView;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import io.eventflow.eventstore.Health;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.elasticsearch.client.ResponseException;

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
    private final RawSearch raw;

    /** @param historyPageSize events per search when a history is read (1 to 10,000) */
    EventQueries(ElasticsearchClient client, EventStoreIndices indices, int historyPageSize) {
        this.client = Objects.requireNonNull(client, "client");
        this.raw = new RawSearch(ElasticsearchClients.restClient(client), ElasticsearchClients.objectMapper());
        this.indices = Objects.requireNonNull(indices, "indices");
        this.reader = new EventStoreReader(client, indices, historyPageSize);
    }

    /** The readiness reason when Elasticsearch does not answer. */
    static final String ES_UNREACHABLE = "Elasticsearch is unreachable";

    /** True when Elasticsearch answers. */
    boolean reachable() {
        try {
            return client.cluster().health(h -> h.timeout(t -> t.time("2s"))) != null;
        } catch (Exception e) {
            log.warn("Elasticsearch health check failed: {}", e.toString());
            return false;
        }
    }

    /**
     * Whether the API can answer queries now: Elasticsearch answers and the events and payments
     * aliases exist (the projector creates them). Live in any case: the API itself serves.
     */
    Health readiness() {
        if (!reachable()) {
            return Health.notReady(ES_UNREACHABLE);
        }
        for (String alias : List.of(indices.eventsAlias(), indices.paymentsAlias())) {
            try {
                if (!client.indices().existsAlias(a -> a.name(alias)).value()) {
                    return Health.notReady("index alias " + alias + " is missing: the projector creates it when it "
                            + "starts (or projector-cli rebuild)");
                }
            } catch (Exception e) {
                return Health.notReady("cannot check index alias " + alias + ": " + e);
            }
        }
        return Health.UP;
    }

    // ---- filters -------------------------------------------------------------------------

    private void term(List<ObjectNode> filters, String field, String value) {
        if (value != null) {
            filters.add(raw.term(field, value));
        }
    }

    private void range(List<ObjectNode> filters, String field, Instant from, Instant to) {
        if (from != null || to != null) {
            filters.add(raw.range(field, from, to));
        }
    }

    /** The tenant's organization, plus the one asked for (an admin may ask for any). */
    private void organization(List<ObjectNode> filters, String field, Tenant tenant, String asked) {
        if (!tenant.admin()) {
            term(filters, field, tenant.organizationId());
        }
        term(filters, field, asked);
    }

    private List<ObjectNode> eventFilters(Tenant tenant, String aggregateType, String eventType, Instant from, Instant to,
            String organizationId, String userId) {
        List<ObjectNode> filters = new ArrayList<>();
        organization(filters, "metadata.organizationId", tenant, organizationId);
        term(filters, "aggregateType", aggregateType);
        term(filters, "eventType", eventType);
        term(filters, "metadata.userId", userId);
        range(filters, "timestamp", from, to);
        return filters;
    }

    // ---- events ----------------------------------------------------------------------------

    Queries.Page search(Tenant tenant, Queries.EventSearch q) throws IOException {
        ObjectNode query = raw.filtered(eventFilters(tenant, q.aggregateType(), q.eventType(), q.from(), q.to(),
                q.organizationId(), q.userId()));
        if (q.text() != null) {
            // simple_query_string never fails on syntax: odd input matches nothing instead.
            ObjectNode sqs = raw.object();
            ObjectNode s = sqs.putObject("simple_query_string");
            s.put("query", q.text());
            s.putArray("fields").add("eventData.*").add("metadata.*");
            s.put("lenient", true);
            s.put("default_operator", "and");
            ((ObjectNode) query.get("bool")).putArray("must").add(sqs);
        }
        Map<String, Object> filtersForCursor = new LinkedHashMap<>();
        filtersForCursor.put("aggregateType", q.aggregateType());
        filtersForCursor.put("eventType", q.eventType());
        filtersForCursor.put("q", q.text());
        filtersForCursor.put("from", q.from() == null ? null : q.from().toString());
        filtersForCursor.put("to", q.to() == null ? null : q.to().toString());
        filtersForCursor.put("organizationId", q.organizationId());
        filtersForCursor.put("userId", q.userId());
        return page(indices.eventsAlias(), query, "timestamp", "eventId", q.size(), q.cursor(), filtersForCursor);
    }

    Map<String, Object> stats(Tenant tenant, Queries.EventStats q) throws IOException {
        ObjectNode body = raw.object();
        body.put("size", 0);
        body.put("track_total_hits", true);
        body.set("query", raw.filtered(eventFilters(tenant, null, q.eventType(), q.from(), q.to(), q.organizationId(), null)));
        ObjectNode aggs = body.putObject("aggs");
        aggs.putObject("by_hour").putObject("date_histogram").put("field", "timestamp").put("calendar_interval", "hour");
        aggs.putObject("by_organization").putObject("terms").put("field", "metadata.organizationId").put("size", TERMS_SIZE);
        aggs.putObject("by_user").putObject("terms").put("field", "metadata.userId").put("size", TERMS_SIZE);
        JsonNode r = raw.search(indices.eventsAlias(), body);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eventType", q.eventType());
        out.put("from", q.from());
        out.put("to", q.to());
        out.put("total", r.path("hits").path("total").path("value").asLong());
        out.put("by_hour", histogram(r.path("aggregations").path("by_hour")));
        out.put("by_organization", terms(r.path("aggregations").path("by_organization")));
        out.put("by_user", terms(r.path("aggregations").path("by_user")));
        return out;
    }

    Map<String, Object> trends(Tenant tenant, Queries.EventTrends q) throws IOException {
        ObjectNode body = raw.object();
        body.put("size", 0);
        body.set("query", raw.filtered(eventFilters(tenant, q.aggregateType(), q.eventType(), q.from(), q.to(),
                q.organizationId(), null)));
        ObjectNode h = body.putObject("aggs").putObject("trend").putObject("date_histogram");
        h.put("field", "timestamp").put("calendar_interval", q.interval().name().toLowerCase())
                .put("time_zone", q.zone().getId()).put("min_doc_count", 0);
        if (q.from() != null && q.to() != null) {
            h.putObject("extended_bounds").put("min", q.from().toEpochMilli()).put("max", q.to().toEpochMilli());
        }
        JsonNode r = raw.search(indices.eventsAlias(), body);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("interval", q.interval().name().toLowerCase());
        out.put("timeZone", q.zone().getId());
        out.put("buckets", histogram(r.path("aggregations").path("trend")));
        return out;
    }

    /**
     * The events of one aggregate the tenant may see, up to asOf, and the state folded over exactly
     * those; null (a 404) when there are none. The tenant and asOf are filters inside the
     * Elasticsearch query: a legacy aggregate whose events carry two organizations shows each only
     * its own events, and its state folds only over them.
     */
    Map<String, Object> history(Tenant tenant, Queries.History q) throws IOException {
        // Fail closed: a tenant without an organization must never read as an admin.
        String organization = tenant.admin() ? null
                : Objects.requireNonNull(tenant.organizationId(), "a tenant's organizationId");
        List<EventDocument> events = reader.history(q.aggregateId(), organization, q.asOf());
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
        List<ObjectNode> filters = new ArrayList<>();
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
        return page(indices.paymentsAlias(), raw.filtered(filters), "processedAt", "paymentId", q.size(), q.cursor(),
                filtersForCursor);
    }

    Map<String, Object> paymentStats(Tenant tenant, Queries.PaymentStats q) throws IOException {
        List<ObjectNode> filters = new ArrayList<>();
        organization(filters, "organizationId", tenant, q.organizationId());
        term(filters, "currency", q.currency());
        range(filters, "processedAt", q.from(), q.to());
        ObjectNode body = raw.object();
        body.put("size", 0);
        body.put("track_total_hits", true);
        body.set("query", raw.filtered(filters));
        ObjectNode aggs = body.putObject("aggs");
        ObjectNode byStatus = aggs.putObject("by_status");
        byStatus.putObject("terms").put("field", "status").put("size", TERMS_SIZE);
        ObjectNode byCurrency = byStatus.putObject("aggs").putObject("by_currency");
        byCurrency.putObject("terms").put("field", "currency").put("size", TERMS_SIZE);
        byCurrency.putObject("aggs").putObject("amount").putObject("sum").put("field", "amount");
        aggs.putObject("refunded").putObject("filter").putObject("range").putObject("refundAmount").put("gt", 0);
        JsonNode r = raw.search(indices.paymentsAlias(), body);
        long total = r.path("hits").path("total").path("value").asLong();
        List<Map<String, Object>> statuses = new ArrayList<>();
        long failed = 0;
        for (JsonNode status : r.path("aggregations").path("by_status").path("buckets")) {
            String name = status.path("key").asText();
            if ("failed".equals(name)) {
                failed = status.path("doc_count").asLong();
            }
            List<Map<String, Object>> currencies = new ArrayList<>();
            for (JsonNode c : status.path("by_currency").path("buckets")) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("currency", c.path("key").asText());
                row.put("count", c.path("doc_count").asLong());
                row.put("sum", Math.round(c.path("amount").path("value").asDouble()));
                currencies.add(row);
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("status", name);
            row.put("count", status.path("doc_count").asLong());
            row.put("by_currency", currencies);
            statuses.add(row);
        }
        long refunded = r.path("aggregations").path("refunded").path("doc_count").asLong();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", total);
        out.put("by_status", statuses);
        out.put("failure_rate", total == 0 ? 0.0 : (double) failed / total);
        out.put("refund_rate", total == 0 ? 0.0 : (double) refunded / total);
        return out;
    }

    // ---- helpers ---------------------------------------------------------------------------

    /**
     * One page of a walk with search_after, newest first by {@code timeField} and then by
     * {@code idField}. The first page is a plain search, so a one-page query costs one search. A
     * walk that goes on opens a point in time on its second page and keeps it, so deep pages stay
     * cheap and see one snapshot. Events are only appended and pages run newest first, so only an
     * old event indexed late, between pages one and two, can fall outside it. The last page closes
     * the point in time. Documents are passed through as Elasticsearch returned them.
     */
    private Queries.Page page(String index, ObjectNode query, String timeField, String idField, int size,
            Queries.Cursor cursor, Map<String, Object> filters) throws IOException {
        String pit = cursor == null ? null : cursor.pointInTime();
        if (cursor != null && pit == null) {
            pit = client.openPointInTime(p -> p.index(index).keepAlive(k -> k.time(KEEP_ALIVE))).id();
        }
        ObjectNode body = raw.object();
        if (pit != null) {
            body.putObject("pit").put("id", pit).put("keep_alive", KEEP_ALIVE);
        }
        body.set("query", query);
        ArrayNode sort = body.putArray("sort");
        sort.addObject().putObject(timeField).put("order", "desc");
        sort.addObject().putObject(idField).put("order", "asc");
        body.put("size", size + 1); // one hit more than the page tells whether another page exists
        body.put("track_total_hits", true);
        if (cursor != null) {
            ArrayNode after = body.putArray("search_after");
            for (Object v : cursor.after()) {
                if (v instanceof Number n) {
                    after.add(n.longValue());
                } else {
                    after.add(String.valueOf(v));
                }
            }
        }
        JsonNode r;
        try {
            r = raw.search(pit == null ? index : null, body);
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            if (cursor != null && (status == 404 || status == 400)) {
                throw new BadParameterException("cursor", "the cursor has expired or does not fit this query; "
                        + "start again without a cursor");
            }
            throw e;
        }
        JsonNode hits = r.path("hits").path("hits");
        boolean more = hits.size() > size;
        List<JsonNode> items = new ArrayList<>(Math.min(size, hits.size()));
        for (int i = 0; i < hits.size() && i < size; i++) {
            items.add(hits.get(i).path("_source"));
        }
        String nextPit = r.hasNonNull("pit_id") ? r.get("pit_id").asText() : pit;
        String next = null;
        if (more) {
            List<Object> after = new ArrayList<>();
            for (JsonNode v : hits.get(size - 1).path("sort")) {
                after.add(v.isNumber() ? (Object) v.asLong() : v.asText());
            }
            next = Cursors.encode(filters, new Queries.Cursor(nextPit, after));
        } else if (nextPit != null) {
            String closing = nextPit;
            try {
                client.closePointInTime(c -> c.id(closing));
            } catch (Exception e) {
                // it expires on its own
            }
        }
        JsonNode total = r.path("hits").path("total");
        return new Queries.Page(total.path("value").asLong(), total.path("relation").asText("eq"), items, next);
    }

    private static List<Map<String, Object>> histogram(JsonNode agg) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode b : agg.path("buckets")) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("key", b.hasNonNull("key_as_string") ? b.get("key_as_string").asText()
                    : Instant.ofEpochMilli(b.path("key").asLong()).toString());
            row.put("count", b.path("doc_count").asLong());
            out.add(row);
        }
        return out;
    }

    private static Map<String, Object> terms(JsonNode agg) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> buckets = new ArrayList<>();
        for (JsonNode b : agg.path("buckets")) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("key", b.path("key").asText());
            row.put("count", b.path("doc_count").asLong());
            buckets.add(row);
        }
        out.put("buckets", buckets);
        out.put("other", agg.path("sum_other_doc_count").asLong());
        return out;
    }
}
