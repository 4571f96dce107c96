package io.eventflow.query.events;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.AggregateTypes;
import io.eventflow.aggregate.Histories;
import io.eventflow.aggregate.ReadModel;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.eventstore.EventStoreReader;
import io.eventflow.eventstore.Position;
import io.eventflow.query.auth.Tenant;
import io.eventflow.query.http.BadParameterException;
import io.eventflow.query.http.Page;
import io.eventflow.query.search.CursorPages;
import io.eventflow.query.search.Search;
import io.eventflow.query.search.Walk;
import io.eventflow.query.search.Filters;
import io.eventflow.query.search.RawSearch;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event queries on Elasticsearch: search, stats, trends and an aggregate's history, generic
 * over the wired aggregate types. Every
 * query of a tenant carries its organization as a filter inside the Elasticsearch request.
 * Thread-safe.
 */
final class EventQueries {
    private static final Logger log = LoggerFactory.getLogger(EventQueries.class);
    private static final int TERMS_SIZE = 100;

    private final EventStoreIndices indices;
    private final EventStoreReader reader;
    private final RawSearch raw;
    private final CursorPages pages;
    private final Walk walk;
    private final AggregateTypes types;

    /** @param historyPageSize events per search when a history is read (1 to 10,000) */
    EventQueries(Search search, EventStoreIndices indices, AggregateTypes types, int historyPageSize, String route) {
        this.types = Objects.requireNonNull(types, "types");
        this.raw = search.raw();
        this.indices = Objects.requireNonNull(indices, "indices");
        this.reader = new EventStoreReader(search.client(), indices, historyPageSize);
        this.pages = search.pages();
        this.walk = new Walk(route, indices.eventsAlias(), "timestamp", "eventId");
    }

    private Filters eventFilters(Tenant tenant, String aggregateType, String eventType, Instant from, Instant to,
            String organizationId, String userId) {
        return new Filters(raw).organization("metadata.organizationId", tenant, organizationId)
                .term("aggregateType", aggregateType)
                .term("eventType", eventType)
                .term("metadata.userId", userId)
                .range("timestamp", from, to);
    }

    Page search(Tenant tenant, Queries.EventSearch q) throws IOException {
        ObjectNode query = eventFilters(tenant, q.aggregateType(), q.eventType(), q.from(), q.to(),
                q.organizationId(), q.userId()).query();
        if (q.text() != null) {
            // simple_query_string never fails on syntax: odd input matches nothing instead.
            ObjectNode sqs = raw.object();
            ObjectNode s = sqs.putObject("simple_query_string");
            s.put("query", q.text());
            // eventText: the payload's words (indices since eventData stopped being indexed);
            // eventData.*: its dynamically mapped fields in indices from before.
            s.putArray("fields").add("eventText").add("eventData.*").add("metadata.*");
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
        return pages.page(walk, tenant, query, q.size(), q.cursor(), filtersForCursor);
    }

    Map<String, Object> stats(Tenant tenant, Queries.EventStats q) throws IOException {
        ObjectNode body = raw.object();
        body.put("size", 0);
        body.put("track_total_hits", true);
        body.set("query", eventFilters(tenant, null, q.eventType(), q.from(), q.to(), q.organizationId(), null).query());
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
        body.set("query", eventFilters(tenant, q.aggregateType(), q.eventType(), q.from(), q.to(),
                q.organizationId(), null).query());
        ObjectNode h = body.putObject("aggs").putObject("trend").putObject("date_histogram");
        h.put("field", "timestamp").put("calendar_interval", q.interval().label())
                .put("time_zone", q.zone().getId()).put("min_doc_count", 0);
        if (q.from() != null && q.to() != null) {
            h.putObject("extended_bounds").put("min", q.from().toEpochMilli()).put("max", q.to().toEpochMilli());
        }
        JsonNode r = raw.search(indices.eventsAlias(), body);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("interval", q.interval().label());
        out.put("timeZone", q.zone().getId());
        out.put("buckets", histogram(r.path("aggregations").path("trend")));
        return out;
    }

    /**
     * The events of one aggregate the tenant may see, up to asOf, and the state folded over exactly
     * those; null (a 404) when there are none. The tenant and asOf are filters inside the
     * Elasticsearch query: a legacy aggregate whose events carry two organizations shows each only
     * its own events, and its state folds only over them.
     *
     * <p>The aggregate type is the one asked for, else the one the visible events belong to; when
     * they belong to several (two types sharing an id), a 400 asks for {@code aggregateType}. The
     * state is the read-model document of the type's one fold ({@link ReadModel#toDocument}), with
     * the {@code position} of the last event folded in when the event documents carry one. Events of
     * a type this API is not wired with are listed with a null state; so are events that cannot be
     * folded (a gap in a whole history, a document that does not read back), with {@code stateError}
     * saying why.
     *
     * @throws BadParameterException when the events belong to several types and none was asked for
     */
    Map<String, Object> history(Tenant tenant, Queries.History q) throws IOException {
        // Fail closed: a tenant without an organization must never read as an admin.
        String organization = tenant.admin() ? null
                : Objects.requireNonNull(tenant.organizationId(), "a tenant's organizationId");
        List<EventDocument> visible = reader.history(q.aggregateId(), organization, q.asOf());
        String typeName = q.aggregateType();
        List<EventDocument> events;
        if (typeName != null) {
            events = visible.stream().filter(e -> typeName.equals(e.aggregateType())).toList();
        } else {
            Set<String> seen = new LinkedHashSet<>();
            visible.forEach(e -> seen.add(e.aggregateType()));
            if (seen.size() > 1) {
                throw new BadParameterException("aggregateType", "ambiguous: pass aggregateType; the events of '"
                        + q.aggregateId() + "' belong to the aggregate types " + String.join(", ", seen),
                        List.copyOf(seen));
            }
            events = visible;
        }
        if (events.isEmpty()) {
            return null;
        }
        String type = events.get(0).aggregateType();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("aggregateId", q.aggregateId());
        body.put("aggregateType", type);
        body.put("asOf", q.asOf());
        body.put("version", events.get(events.size() - 1).version());
        Map<String, Object> state = null;
        String stateError = null;
        AggregateType<?, ?, ?> aggregateType = types.byType(type).orElse(null);
        if (aggregateType != null) {
            try {
                state = state(aggregateType, q.aggregateId(), events, tenant.admin());
            } catch (IllegalStateException e) {
                // A gap in a whole history, or a document that does not read back: the events are
                // still worth showing, they are what one looks at to find out why.
                log.warn("cannot fold the history of {} {}: {}", type, q.aggregateId(), e.getMessage());
                stateError = e.getMessage();
            }
        }
        body.put("state", state);
        if (stateError != null) {
            body.put("stateError", stateError);
        }
        body.put("events", events);
        return body;
    }

    /**
     * The type's fold over {@code events} as its read-model document. An admin sees whole histories:
     * {@link Histories#fold} checks they have no gap. A tenant's share of a legacy history that
     * mixes organizations has gaps by design (the other organization's versions): it is folded over
     * exactly those events, through the same evolve.
     */
    private static <S, E> Map<String, Object> state(AggregateType<S, ?, E> type, String aggregateId,
            List<EventDocument> events, boolean admin) {
        S state;
        if (admin || contiguous(events)) {
            state = Histories.fold(type, aggregateId, events);
        } else {
            state = type.domain().initial(aggregateId);
            for (EventDocument doc : events) {
                state = type.domain().evolve(state, Histories.recorded(type, doc));
            }
        }
        Map<String, Object> document = new LinkedHashMap<>(type.readModel().toDocument(state));
        Position position = events.get(events.size() - 1).position();
        if (position != null) {
            document.put("position", position);
        }
        return document;
    }

    private static boolean contiguous(List<EventDocument> events) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).version() != i + 1) {
                return false;
            }
        }
        return true;
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
