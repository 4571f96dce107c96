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
import io.eventflow.query.search.Filters;
import io.eventflow.query.search.RawSearch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The payment queries on the payments read model. Every query of a tenant carries its
 * organization as a filter inside the Elasticsearch request. Thread-safe.
 */
final class PaymentQueries {
    private static final int TERMS_SIZE = 100;

    private final ElasticsearchClient client;
    private final String alias;
    private final RawSearch raw;
    private final CursorPages pages;

    PaymentQueries(ElasticsearchClient client, RawSearch raw, EventStoreIndices indices) {
        this.client = Objects.requireNonNull(client, "client");
        this.raw = Objects.requireNonNull(raw, "raw");
        this.alias = indices.alias(Payments.TYPE.names().readModel());
        this.pages = new CursorPages(client, raw);
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
        return pages.page(alias, query, "processedAt", "paymentId", q.size(), q.cursor(),
                filtersForCursor);
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
        return out;
    }
}
