package io.eventflow.query.events;

import io.eventflow.aggregate.AggregateTypes;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.query.http.BadParameterException;
import io.eventflow.query.http.Cursors;
import io.eventflow.query.http.FreshReads;
import io.eventflow.query.http.Page;
import io.eventflow.query.http.QueryBus;
import io.eventflow.query.http.QueryRoutes;
import io.eventflow.query.http.Route;
import io.eventflow.query.http.Router;
import io.eventflow.query.search.Interval;
import io.eventflow.query.search.Search;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The event routes: {@code /events} (search), {@code /events/stats}, {@code /events/trends} and
 * {@code /aggregates/{aggregateId}/events} (an aggregate's history and state, optionally as of an
 * instant, for any of the wired aggregate types).
 */
public final class EventRoutes implements QueryRoutes {
    private static final Route EVENTS = new Route("/events", Set.of("aggregateType", "eventType", "q", "from", "to",
            "organizationId", "userId", "size", "cursor"), true);
    private static final Route STATS = new Route("/events/stats", Set.of("eventType", "from", "to", "organizationId"),
            true);
    private static final Route TRENDS = new Route("/events/trends", Set.of("interval", "timeZone", "from", "to",
            "eventType", "aggregateType", "organizationId"), true);
    private static final Route HISTORY = new Route("/aggregates/{aggregateId}/events", Set.of("asOf", "aggregateType",
            "minVersion"),
            true);
    /** The filters a cursor carries, in the order a 400 names the first one given besides it. */
    private static final List<String> CURSOR_FILTERS = List.of("aggregateType", "eventType", "q", "from", "to",
            "organizationId", "userId");

    private final EventQueries queries;
    private final Cursors cursors;
    private final FreshReads fresh;
    private final int maxPageSize;
    /** The wired aggregate types' names, the values {@code aggregateType} may take on a history. */
    private final List<String> typeNames;

    /** @param historyPageSize events per Elasticsearch search when a history is read (1 to 10,000) */
    public EventRoutes(Search search, EventStoreIndices indices, AggregateTypes types, int historyPageSize) {
        this.queries = new EventQueries(search, indices, types, historyPageSize, EVENTS.path());
        this.cursors = search.pages().cursors();
        this.fresh = search.fresh();
        this.typeNames = types.all().stream().map(t -> t.names().type()).toList();
        this.maxPageSize = search.maxPageSize();
    }

    @Override
    public void register(QueryBus bus, Router router) {
        bus.register(Queries.EventSearch.class, queries::search)
                .register(Queries.EventStats.class, queries::stats)
                .register(Queries.EventTrends.class, queries::trends)
                .register(Queries.History.class, queries::history);

        router.get(EVENTS, (ctx, p) -> {
            int size = p.intInRange("size", 100, 1, maxPageSize);
            Queries.EventSearch q;
            if (p.has("cursor")) {
                Cursors.Decoded c = cursors.fromRequest(EVENTS.path(), router.tenant(ctx), p, CURSOR_FILTERS);
                q = new Queries.EventSearch(c.string("aggregateType"), c.string("eventType"), c.string("q"),
                        c.instant("from"), c.instant("to"), c.id("organizationId"), c.id("userId"), size, c.cursor());
            } else {
                Instant[] range = p.range();
                q = new Queries.EventSearch(p.term("aggregateType"), p.term("eventType"), p.text("q"), range[0], range[1],
                        p.id("organizationId"), p.id("userId"), size, null);
            }
            router.page(ctx, (Page) router.ask(ctx, q), "events");
        });
        router.get(STATS, (ctx, p) -> {
            Instant[] range = p.range();
            ctx.json(router.ask(ctx, new Queries.EventStats(p.required("eventType"), range[0], range[1],
                    p.id("organizationId"))));
        });
        router.get(TRENDS, (ctx, p) -> {
            Instant[] range = p.range();
            Interval interval = Interval.of(p, range[0], range[1]);
            ctx.json(router.ask(ctx, new Queries.EventTrends(p.term("eventType"), p.term("aggregateType"), range[0],
                    range[1], interval, p.zone("timeZone"), p.id("organizationId"))));
        });
        router.get(HISTORY, (ctx, p) -> {
            String id = p.pathId("aggregateId");
            Long minVersion = p.longAtLeast("minVersion", 1);
            if (minVersion != null && p.has("asOf")) {
                // A history cut at asOf may never reach minVersion: the wait would always time out.
                throw new BadParameterException("minVersion", "minVersion cannot be combined with asOf");
            }
            Queries.History q = new Queries.History(id, p.oneOf("aggregateType", typeNames), p.instant("asOf"));
            if (minVersion == null) {
                ctx.json(router.answer(ctx, q, "aggregate '" + id + "' has no events" + (p.has("asOf") ? " up to asOf" : "")));
            } else {
                ctx.json(fresh.await(() -> router.askFresh(ctx, q),
                        FreshReads::versionField, minVersion,
                        "the history of '" + id + "'"));
            }
        });
    }
}
