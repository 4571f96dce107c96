package io.eventflow.query.payments;

import io.eventflow.eventstore.EventStoreIndices;
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
 * The payment routes: {@code /payments} (search), {@code /payments/stats}, {@code /payments/trends}
 * and {@code /payments/{paymentId}} (optionally once it reached {@code minVersion}).
 */
public final class PaymentRoutes implements QueryRoutes {
    private static final List<String> STATUSES = List.of("processed", "failed", "refunded");
    private static final Route PAYMENTS = new Route("/payments", Set.of("status", "organizationId", "currency", "from",
            "to", "size", "cursor"), true);
    private static final Route STATS = new Route("/payments/stats", Set.of("from", "to", "organizationId", "currency"),
            true);
    private static final Route TRENDS = new Route("/payments/trends", Set.of("interval", "timeZone", "from", "to",
            "currency", "organizationId"), true);
    private static final Route BY_ID = new Route("/payments/{paymentId}", Set.of("minVersion"), true);
    /** The filters a cursor carries, in the order a 400 names the first one given besides it. */
    private static final List<String> CURSOR_FILTERS = List.of("from", "to", "organizationId", "status", "currency");

    private final PaymentQueries queries;
    private final Cursors cursors;
    private final FreshReads fresh;
    private final int maxPageSize;

    public PaymentRoutes(Search search, EventStoreIndices indices) {
        this.queries = new PaymentQueries(search, indices, PAYMENTS.path());
        this.cursors = search.pages().cursors();
        this.fresh = search.fresh();
        this.maxPageSize = search.maxPageSize();
    }

    @Override
    public void register(QueryBus bus, Router router) {
        bus.register(Queries.PaymentById.class, queries::payment)
                .register(Queries.PaymentSearch.class, queries::payments)
                .register(Queries.PaymentStats.class, queries::paymentStats)
                .register(Queries.PaymentTrends.class, queries::trends);

        router.get(PAYMENTS, (ctx, p) -> {
            int size = p.intInRange("size", 100, 1, maxPageSize);
            Queries.PaymentSearch q;
            if (p.has("cursor")) {
                Cursors.Decoded c = cursors.fromRequest(PAYMENTS.path(), router.tenant(ctx), p, CURSOR_FILTERS);
                q = new Queries.PaymentSearch(c.string("status"), c.id("organizationId"), c.string("currency"),
                        c.instant("from"), c.instant("to"), size, c.cursor());
            } else {
                Instant[] range = p.range();
                q = new Queries.PaymentSearch(p.oneOf("status", STATUSES), p.id("organizationId"), p.currency("currency"),
                        range[0], range[1], size, null);
            }
            router.page(ctx, (Page) router.ask(ctx, q), "payments");
        });
        // Before /payments/{paymentId}: the router matches in registration order.
        router.get(STATS, (ctx, p) -> {
            Instant[] range = p.range();
            ctx.json(router.ask(ctx, new Queries.PaymentStats(range[0], range[1], p.id("organizationId"),
                    p.currency("currency"))));
        });
        router.get(TRENDS, (ctx, p) -> {
            Instant[] range = p.range();
            ctx.json(router.ask(ctx, new Queries.PaymentTrends(Interval.of(p, range[0], range[1]), p.zone("timeZone"),
                    range[0], range[1], p.currency("currency"), p.id("organizationId"))));
        });
        router.get(BY_ID, (ctx, p) -> {
            String id = p.pathId("paymentId");
            Long minVersion = p.longAtLeast("minVersion", 1);
            Queries.PaymentById q = new Queries.PaymentById(id);
            if (minVersion == null) {
                ctx.json(router.answer(ctx, q, "payment '" + id + "' not found"));
            } else {
                ctx.json(fresh.await(() -> router.askFresh(ctx, q), FreshReads::versionField, minVersion,
                        "payment '" + id + "'"));
            }
        });
    }
}
