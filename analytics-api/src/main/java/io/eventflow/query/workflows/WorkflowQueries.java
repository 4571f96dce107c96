package io.eventflow.query.workflows;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.query.auth.Tenant;
import io.eventflow.query.http.Page;
import io.eventflow.query.search.CursorPages;
import io.eventflow.query.search.Search;
import io.eventflow.query.search.Walk;
import io.eventflow.query.search.Filters;
import io.eventflow.query.search.RawSearch;
import io.eventflow.workflows.Workflows;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The workflow queries on the workflows read model. Every query of a tenant carries its
 * organization as a filter inside the Elasticsearch request. Thread-safe.
 */
final class WorkflowQueries {
    private static final int TERMS_SIZE = 100;
    private static final double[] PERCENTS = {50, 95, 99};

    private final String alias;
    private final RawSearch raw;
    private final CursorPages pages;
    private final Walk walk;

    WorkflowQueries(Search search, EventStoreIndices indices, String route) {
        this.raw = search.raw();
        this.alias = indices.alias(Workflows.TYPE.names().readModel());
        this.pages = search.pages();
        this.walk = new Walk(route, alias, "startedAt", "workflowId");
    }

    /** The read-model document as stored, or null (a 404) when absent or another organization's. */
    JsonNode workflow(Tenant tenant, Queries.WorkflowById q) throws IOException {
        ObjectNode ids = raw.object();
        ids.putObject("ids").putArray("values").add(q.workflowId());
        List<ObjectNode> filters = new ArrayList<>();
        filters.add(ids);
        ObjectNode tenantQuery = new Filters(raw).organization("organizationId", tenant, null).query();
        tenantQuery.path("bool").path("filter").forEach(f -> filters.add((ObjectNode) f));
        ObjectNode body = raw.object();
        body.put("size", 1);
        body.set("query", raw.filtered(filters));
        JsonNode hits = raw.search(alias, body).path("hits").path("hits");
        return hits.isEmpty() ? null : hits.get(0).path("_source");
    }

    Page workflows(Tenant tenant, Queries.WorkflowSearch q) throws IOException {
        ObjectNode query = new Filters(raw).organization("organizationId", tenant, q.organizationId())
                .term("status", q.status())
                .term("userId", q.userId())
                .term("name", q.name())
                .range("startedAt", q.from(), q.to())
                .query();
        Map<String, Object> filtersForCursor = new LinkedHashMap<>();
        filtersForCursor.put("status", q.status());
        filtersForCursor.put("userId", q.userId());
        filtersForCursor.put("name", q.name());
        filtersForCursor.put("organizationId", q.organizationId());
        filtersForCursor.put("from", q.from() == null ? null : q.from().toString());
        filtersForCursor.put("to", q.to() == null ? null : q.to().toString());
        return pages.page(walk, tenant, query, q.size(), q.cursor(), filtersForCursor);
    }

    /**
     * Counts by status; per step name (the nested {@code steps}): how many steps, how many failed,
     * the failure rate and the percentiles of {@code durationMs} (Elasticsearch's estimate; null
     * when no step of that name has ended).
     */
    Map<String, Object> stats(Tenant tenant, Queries.WorkflowStats q) throws IOException {
        ObjectNode body = raw.object();
        body.put("size", 0);
        body.put("track_total_hits", true);
        body.set("query", new Filters(raw).organization("organizationId", tenant, q.organizationId())
                .range("startedAt", q.from(), q.to()).query());
        ObjectNode aggs = body.putObject("aggs");
        aggs.putObject("by_status").putObject("terms").put("field", "status").put("size", TERMS_SIZE);
        ObjectNode steps = aggs.putObject("steps");
        steps.putObject("nested").put("path", "steps");
        ObjectNode byName = steps.putObject("aggs").putObject("by_name");
        byName.putObject("terms").put("field", "steps.name").put("size", TERMS_SIZE);
        ObjectNode perName = byName.putObject("aggs");
        perName.putObject("failed").putObject("filter").set("term", raw.object().put("steps.status", "failed"));
        ObjectNode percentiles = perName.putObject("durationMs").putObject("percentiles");
        percentiles.put("field", "steps.durationMs");
        var percents = percentiles.putArray("percents");
        for (double p : PERCENTS) {
            percents.add(p);
        }
        JsonNode r = raw.search(alias, body);
        JsonNode a = r.path("aggregations");

        List<Map<String, Object>> statuses = new ArrayList<>();
        for (JsonNode b : a.path("by_status").path("buckets")) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("status", b.path("key").asText());
            row.put("count", b.path("doc_count").asLong());
            statuses.add(row);
        }
        List<Map<String, Object>> stepRows = new ArrayList<>();
        for (JsonNode b : a.path("steps").path("by_name").path("buckets")) {
            long count = b.path("doc_count").asLong();
            long failed = b.path("failed").path("doc_count").asLong();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", b.path("key").asText());
            row.put("count", count);
            row.put("failed", failed);
            row.put("failure_rate", count == 0 ? 0.0 : (double) failed / count);
            Map<String, Object> durations = new LinkedHashMap<>();
            JsonNode values = b.path("durationMs").path("values");
            for (double p : PERCENTS) {
                JsonNode v = values.path(String.valueOf(p));
                durations.put("p" + (int) p, v.isNumber() ? v.asDouble() : null);
            }
            row.put("durationMs", durations);
            stepRows.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("from", q.from());
        out.put("to", q.to());
        out.put("total", r.path("hits").path("total").path("value").asLong());
        out.put("by_status", statuses);
        out.put("steps", stepRows);
        return out;
    }
}
