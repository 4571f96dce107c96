package io.eventflow.query.payments;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.GetResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.aggregate.ReadModel;
import io.eventflow.payments.PaymentState;
import io.eventflow.payments.Payments;
import io.eventflow.query.auth.Tenant;
import io.eventflow.query.http.Page;
import io.eventflow.query.search.CursorPages;
import io.eventflow.query.search.Search;
import io.eventflow.query.search.Walk;
import io.eventflow.query.search.Filters;
import io.eventflow.query.search.RawSearch;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The payment queries on the payments read model. Every query of a tenant carries its
 * organization as a filter inside the Elasticsearch request. Thread-safe.
 */
final class PaymentQueries {
    private static final int TERMS_SIZE = 100;
    /** The failure reason of failed payments without one (or from an index without error.keyword). */
    static final String UNKNOWN_REASON = "unknown";

    private final ElasticsearchClient client;
    private final String alias;
    private final RawSearch raw;
    private final CursorPages pages;

    private final Walk walk;

    PaymentQueries(Search search, EventStoreIndices indices, String route) {
        this.client = search.client();
        this.raw = search.raw();
        this.alias = indices.alias(Payments.TYPE.names().readModel());
        this.pages = search.pages();
        this.walk = new Walk(route, alias, "processedAt", "paymentId");
    }

    /**
     * The payment's read-model document as the API has always shown it: every field of the payments
     * read model (null when unset, instants as ISO-8601) and {@code position} (null when the
     * document has none).
     */
    @SuppressWarnings("unchecked")
    Optional<Map<String, Object>> payment(Tenant tenant, Queries.PaymentById q) throws IOException {
        Map<String, Object> source;
        if (tenant.admin()) {
            GetResponse<Map> r = client.get(g -> g.index(alias).id(q.paymentId()), Map.class);
            source = r.found() ? r.source() : null;
        } else {
            // A search, so the organization filter is part of the Elasticsearch query.
            SearchResponse<Map> r = client.search(s -> s.index(alias).ignoreUnavailable(true)
                    .allowNoIndices(true).size(1).query(x -> x.bool(b -> b
                            .filter(f -> f.ids(i -> i.values(q.paymentId())))
                            .filter(f -> f.term(t -> t.field("organizationId").value(tenant.organizationId()))))),
                    Map.class);
            source = r.hits().hits().stream().findFirst().map(Hit::source).orElse(null);
        }
        return Optional.ofNullable(source).map(PaymentQueries::document);
    }

    /** Through the payments module's read model, so the fields and their forms are its, not the stored text's. */
    private static Map<String, Object> document(Map<String, Object> source) {
        ReadModel<PaymentState> model = Payments.TYPE.readModel();
        Map<String, Object> document = new LinkedHashMap<>(model.toDocument(model.fromDocument(source)));
        document.put("position", source.get("position"));
        return document;
    }

    Page payments(Tenant tenant, Queries.PaymentSearch q) throws IOException {
        ObjectNode query = new Filters(raw).organization("organizationId", tenant, q.organizationId())
                .term("status", q.status())
                .term("currency", q.currency())
                .range("processedAt", q.from(), q.to())
                .query();
        Map<String, Object> filtersForCursor = new LinkedHashMap<>();
        filtersForCursor.put("status", q.status());
        filtersForCursor.put("organizationId", q.organizationId());
        filtersForCursor.put("currency", q.currency());
        filtersForCursor.put("from", q.from() == null ? null : q.from().toString());
        filtersForCursor.put("to", q.to() == null ? null : q.to().toString());
        return pages.page(walk, tenant, query, q.size(), q.cursor(), filtersForCursor);
    }

    Map<String, Object> paymentStats(Tenant tenant, Queries.PaymentStats q) throws IOException {
        ObjectNode query = new Filters(raw).organization("organizationId", tenant, q.organizationId())
                .term("currency", q.currency())
                .range("processedAt", q.from(), q.to())
                .query();
        ObjectNode body = raw.object();
        body.put("size", 0);
        body.put("track_total_hits", true);
        body.set("query", query);
        ObjectNode aggs = body.putObject("aggs");
        ObjectNode byStatus = aggs.putObject("by_status");
        byStatus.putObject("terms").put("field", "status").put("size", TERMS_SIZE);
        ObjectNode byCurrency = byStatus.putObject("aggs").putObject("by_currency");
        byCurrency.putObject("terms").put("field", "currency").put("size", TERMS_SIZE);
        byCurrency.putObject("aggs").putObject("amount").putObject("sum").put("field", "amount");
        aggs.putObject("refunded").putObject("filter").putObject("range").putObject("refundAmount").put("gt", 0);
        ObjectNode money = aggs.putObject("money");
        money.set("filter", notFailed());
        ObjectNode moneyByCurrency = money.putObject("aggs").putObject("by_currency");
        moneyByCurrency.putObject("terms").put("field", "currency").put("size", TERMS_SIZE);
        ObjectNode sums = moneyByCurrency.putObject("aggs");
        sums.putObject("processed").putObject("sum").put("field", "amount");
        sums.putObject("refunded").putObject("sum").put("field", "refundAmount");
        ObjectNode reasons = aggs.putObject("failures");
        reasons.putObject("filter").putObject("term").put("status", "failed");
        // error.keyword: indices created before the sub-field existed get it through a rebuild; until
        // then their failures count under "unknown" here (the terms' missing bucket).
        reasons.putObject("aggs").putObject("by_reason").putObject("terms").put("field", "error.keyword")
                .put("size", TERMS_SIZE).put("missing", UNKNOWN_REASON);
        JsonNode r = raw.search(alias, body);
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
        List<Map<String, Object>> moneyRows = new ArrayList<>();
        for (JsonNode c : r.path("aggregations").path("money").path("by_currency").path("buckets")) {
            long processed = Math.round(c.path("processed").path("value").asDouble());
            long refundedAmount = Math.round(c.path("refunded").path("value").asDouble());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("currency", c.path("key").asText());
            row.put("payments", c.path("doc_count").asLong());
            row.put("processed", processed);
            row.put("refunded", refundedAmount);
            row.put("net", processed - refundedAmount);
            moneyRows.add(row);
        }
        out.put("money_by_currency", moneyRows);
        List<Map<String, Object>> reasonRows = new ArrayList<>();
        for (JsonNode b : r.path("aggregations").path("failures").path("by_reason").path("buckets")) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("reason", b.path("key").asText());
            row.put("count", b.path("doc_count").asLong());
            reasonRows.add(row);
        }
        out.put("failure_reasons", reasonRows);
        return out;
    }

    /**
     * Money per bucket and currency: what was processed (payments that did not fail, by
     * {@code processedAt}), what was refunded (by {@code refundedAt}) and the difference. The read
     * model keeps a payment's refunded total and its last refund's time, so several partial
     * refunds of one payment count in the bucket of the last one.
     */
    Map<String, Object> trends(Tenant tenant, Queries.PaymentTrends q) throws IOException {
        ObjectNode body = raw.object();
        body.put("size", 0);
        body.set("query", new Filters(raw).organization("organizationId", tenant, q.organizationId())
                .term("currency", q.currency()).query());
        ObjectNode aggs = body.putObject("aggs");
        histogram(aggs.putObject("processed"), q, "processedAt", "amount", notFailed());
        ObjectNode refundedFilter = raw.object();
        refundedFilter.putObject("range").putObject("refundAmount").put("gt", 0);
        histogram(aggs.putObject("refunded"), q, "refundedAt", "refundAmount", refundedFilter);
        JsonNode r = raw.search(alias, body);
        // Bucket start (epoch ms) -> its label and, per currency, [processed count, processed sum,
        // refunded count, refunded sum]. Both histograms share bounds when from and to are given;
        // else either may start or end earlier, so they are merged by key.
        TreeMap<Long, String> labels = new TreeMap<>();
        Map<Long, TreeMap<String, long[]>> cells = new HashMap<>();
        collect(r.path("aggregations").path("processed").path("trend"), 0, labels, cells);
        collect(r.path("aggregations").path("refunded").path("trend"), 2, labels, cells);
        List<Map<String, Object>> buckets = new ArrayList<>();
        for (var e : labels.entrySet()) {
            List<Map<String, Object>> currencies = new ArrayList<>();
            cells.getOrDefault(e.getKey(), new TreeMap<>()).forEach((currency, v) -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("currency", currency);
                row.put("processedCount", v[0]);
                row.put("processedAmount", v[1]);
                row.put("refundedCount", v[2]);
                row.put("refundedAmount", v[3]);
                row.put("netAmount", v[1] - v[3]);
                currencies.add(row);
            });
            Map<String, Object> bucket = new LinkedHashMap<>();
            bucket.put("key", e.getValue());
            bucket.put("currencies", currencies);
            buckets.add(bucket);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("interval", q.interval().label());
        out.put("timeZone", q.zone().getId());
        out.put("currency", q.currency());
        out.put("buckets", buckets);
        return out;
    }

    /** A filter aggregation on {@code filter} and the range, holding a date histogram of sums per currency. */
    private void histogram(ObjectNode agg, Queries.PaymentTrends q, String timeField, String amountField,
            ObjectNode filter) {
        List<ObjectNode> filters = new ArrayList<>();
        filters.add(filter);
        if (q.from() != null || q.to() != null) {
            filters.add(raw.range(timeField, q.from(), q.to()));
        }
        agg.set("filter", raw.filtered(filters));
        ObjectNode h = agg.putObject("aggs").putObject("trend");
        ObjectNode dh = h.putObject("date_histogram");
        dh.put("field", timeField).put("calendar_interval", q.interval().label()).put("time_zone", q.zone().getId())
                .put("min_doc_count", 0);
        if (q.from() != null && q.to() != null) {
            dh.putObject("extended_bounds").put("min", q.from().toEpochMilli()).put("max", q.to().toEpochMilli());
        }
        ObjectNode byCurrency = h.putObject("aggs").putObject("by_currency");
        byCurrency.putObject("terms").put("field", "currency").put("size", TERMS_SIZE);
        byCurrency.putObject("aggs").putObject("sum").putObject("sum").put("field", amountField);
    }

    private static void collect(JsonNode histogram, int offset, TreeMap<Long, String> labels,
            Map<Long, TreeMap<String, long[]>> cells) {
        for (JsonNode b : histogram.path("buckets")) {
            long key = b.path("key").asLong();
            labels.putIfAbsent(key, b.hasNonNull("key_as_string") ? b.get("key_as_string").asText()
                    : Instant.ofEpochMilli(key).toString());
            for (JsonNode c : b.path("by_currency").path("buckets")) {
                long[] v = cells.computeIfAbsent(key, k -> new TreeMap<>())
                        .computeIfAbsent(c.path("key").asText(), k -> new long[4]);
                v[offset] += c.path("doc_count").asLong();
                v[offset + 1] += Math.round(c.path("sum").path("value").asDouble());
            }
        }
    }

    /** Payments whose money was taken: every status but failed. */
    private ObjectNode notFailed() {
        ObjectNode f = raw.object();
        f.putObject("bool").putArray("must_not").addObject().putObject("term").put("status", "failed");
        return f;
    }
}
