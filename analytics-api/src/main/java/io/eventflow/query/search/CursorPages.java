package io.eventflow.query.search;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventflow.eventstore.SearchAfterPages;
import io.eventflow.query.http.BadParameterException;
import io.eventflow.query.http.Cursor;
import io.eventflow.query.http.Cursors;
import io.eventflow.query.http.Page;
import io.eventflow.query.http.ProblemException;
import io.eventflow.query.auth.Tenant;
import java.time.Clock;
import java.time.Duration;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import io.eventflow.eventstore.ElasticsearchClients;
import java.util.Set;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.ResponseException;

/**
 * Pages of a walk a client continues with a cursor, newest first. The first page is a plain
 * search, so a one-page query costs one search. A walk that goes on opens a point in time on its
 * second page and keeps it, so deep pages stay cheap and see one snapshot. Events are only
 * appended and pages run newest first, so only an old event indexed late, between pages one and
 * two, can fall outside it. The last page closes the point in time.
 *
 * <p>Cursors are signed ({@link Cursors}), so a point in time is only opened or read for a cursor
 * this API issued, and each tenant holds at most a configured number open on this instance; one
 * more answers 429 with Retry-After. Thread-safe.
 */
public final class CursorPages {
    private static final Duration KEEP_ALIVE = Duration.ofMinutes(2);
    /** The error types of a point-in-time id that does not decode. */
    private static final Set<String> POINT_IN_TIME_ERRORS = Set.of("illegal_state_exception", "illegal_argument_exception");

    private final ElasticsearchClient client;
    private final RawSearch raw;
    private final Cursors cursors;
    private final PointInTimeBudget budget;

    /** @param maxPointsInTimePerTenant how many points in time one tenant may hold open at once (at least 1) */
    public CursorPages(ElasticsearchClient client, RawSearch raw, Cursors cursors, int maxPointsInTimePerTenant,
            Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.raw = Objects.requireNonNull(raw, "raw");
        this.cursors = Objects.requireNonNull(cursors, "cursors");
        this.budget = new PointInTimeBudget(maxPointsInTimePerTenant, KEEP_ALIVE, clock);
    }

    /** The codec of the cursors these pages issue, for the routes that read them back. */
    public Cursors cursors() {
        return cursors;
    }

    /**
     * One page of {@code walk} for {@code tenant}. Documents are passed through as Elasticsearch
     * returned them.
     *
     * @param query the whole query, the tenant's organization filter included
     * @param cursor null for the first page; else decoded from a cursor this API issued
     * @param filters the query's filters by parameter name, carried in the next page's cursor
     * @throws BadParameterException naming {@code cursor} when its point in time has expired
     * @throws ProblemException 429 when the tenant holds too many points in time open
     */
    public Page page(Walk walk, Tenant tenant, ObjectNode query, int size, Cursor cursor,
            Map<String, Object> filters) throws IOException {
        String index = walk.index();
        String timeField = walk.timeField();
        String idField = walk.idField();
        String pit = cursor == null ? null : cursor.pointInTime();
        if (cursor != null && pit == null) {
            if (!budget.mayOpen(tenant)) {
                throw new ProblemException(429, "Too Many Requests", "this API key holds too many paginated searches "
                        + "open; finish or abandon some (they expire " + KEEP_ALIVE.toMinutes() + " minutes after "
                        + "their last page)", "cursor", null, budget.retryAfterSeconds());
            }
            pit = client.openPointInTime(p -> p.index(index).keepAlive(k -> k.time(KEEP_ALIVE.toMinutes() + "m"))).id();
            budget.used(tenant, pit);
        }
        String usedPit = pit;
        JsonNode[] response = new JsonNode[1];
        SearchAfterPages.Page<JsonNode, List<Object>> page = SearchAfterPages.page(size,
                cursor == null ? null : cursor.after(), (after, n) -> {
                    ObjectNode body = raw.object();
                    if (usedPit != null) {
                        body.putObject("pit").put("id", usedPit).put("keep_alive", KEEP_ALIVE.toMinutes() + "m");
                    }
                    body.set("query", query);
                    ArrayNode sort = body.putArray("sort");
                    sort.addObject().putObject(timeField).put("order", "desc");
                    sort.addObject().putObject(idField).put("order", "asc");
                    body.put("size", n);
                    body.put("track_total_hits", true);
                    if (after != null) {
                        ArrayNode searchAfter = body.putArray("search_after");
                        for (Object v : after) {
                            if (v instanceof Number number) {
                                searchAfter.add(number.longValue());
                            } else {
                                searchAfter.add(String.valueOf(v));
                            }
                        }
                    }
                    try {
                        response[0] = raw.search(usedPit == null ? index : null, body);
                    } catch (ResponseException e) {
                        int status = e.getResponse().getStatusLine().getStatusCode();
                        if (cursor != null && (status == 404 || status == 400 || unreadablePointInTime(e))) {
                            throw new BadParameterException("cursor", "the cursor has expired or does not fit this "
                                    + "query; start again without a cursor");
                        }
                        throw e;
                    }
                    List<JsonNode> hits = new ArrayList<>();
                    response[0].path("hits").path("hits").forEach(hits::add);
                    return hits;
                }, CursorPages::sortValues);
        JsonNode r = response[0];
        List<JsonNode> items = page.hits().stream().map(h -> h.path("_source")).toList();
        String nextPit = r.hasNonNull("pit_id") ? r.get("pit_id").asText() : pit;
        String next = null;
        if (page.next() != null) {
            next = cursors.encode(walk.route(), tenant, filters, new Cursor(nextPit, page.next()));
            if (nextPit != null) {
                if (pit != null && !nextPit.equals(pit)) {
                    budget.closed(tenant, pit);
                }
                budget.used(tenant, nextPit);
            }
        } else if (nextPit != null) {
            String closing = nextPit;
            budget.closed(tenant, closing);
            if (pit != null) {
                budget.closed(tenant, pit);
            }
            try {
                client.closePointInTime(c -> c.id(closing));
            } catch (Exception e) {
                // it expires on its own
            }
        }
        JsonNode total = r.path("hits").path("total");
        return new Page(total.path("value").asLong(), total.path("relation").asText("eq"), items, next);
    }

    /**
     * Elasticsearch answers 500 when a point-in-time id does not decode (it came from a cursor: one
     * this API signed, so it expired on a node that no longer knows it, or the cluster was
     * replaced). That is the cursor's fault, not an outage; a 500 of any other kind still is one.
     */
    private boolean unreadablePointInTime(ResponseException e) {
        if (e.getResponse().getStatusLine().getStatusCode() != 500) {
            return false;
        }
        try {
            JsonNode body = ElasticsearchClients.objectMapper().readTree(EntityUtils.toString(e.getResponse().getEntity()));
            String type = body.path("error").path("type").asText();
            return POINT_IN_TIME_ERRORS.contains(type);
        } catch (IOException | RuntimeException unreadable) {
            return false;
        }
    }

    private static List<Object> sortValues(JsonNode hit) {
        List<Object> after = new ArrayList<>();
        for (JsonNode v : hit.path("sort")) {
            after.add(v.isNumber() ? (Object) v.asLong() : v.asText());
        }
        return after;
    }
}
