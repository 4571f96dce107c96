package io.eventflow.query.payments;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.query.http.Cursors;
import io.eventflow.query.http.Page;
import io.eventflow.query.http.QueryBus;
import io.eventflow.query.http.QueryRoutes;
import io.eventflow.query.http.Route;
import io.eventflow.query.http.Router;
import io.eventflow.query.search.RawSearch;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** The payment routes: {@code /payments} (search), {@code /payments/stats} and {@code /payments/{paymentId}}. */
public final class PaymentRoutes implements QueryRoutes {
    private static final List<String> STATUSES = List.of("processed", "failed", "refunded");
    private static final Route PAYMENTS = new Route("/payments", Set.of("status", "organizationId", "currency", "from",
            "to", "size", "cursor"), true);
    private static final Route STATS = new Route("/payments/stats", Set.of("from", "to", "organizationId", "currency"),
            true);
    private static final Route BY_ID = new Route("/payments/{paymentId}", Set.of(), true);
    /** The filters a cursor carries, in the order a 400 names the first one given besides it. */
    private static final List<String> CURSOR_FILTERS = List.of("from", "to", "organizationId", "status", "currency");

    private final PaymentQueries queries;
    private final int maxPageSize;

    /** @param maxPageSize the largest {@code size} a search may ask for */
    public PaymentRoutes(ElasticsearchClient client, RawSearch raw, EventStoreIndices indices, int maxPageSize) {
        this.queries = new PaymentQueries(client, raw, indices);
        this.maxPageSize = maxPageSize;
    }

    @Override
    public void register(QueryBus bus, Router router) {
        bus.register(Queries.PaymentById.class, queries::payment)
                .register(Queries.PaymentSearch.class, queries::payments)
                .register(Queries.PaymentStats.class, queries::paymentStats);

        router.get(PAYMENTS, (ctx, p) -> {
            int size = p.intInRange("size", 100, 1, maxPageSize);
            Queries.PaymentSearch q;
            if (p.has("cursor")) {
                Cursors.Decoded c = Cursors.fromRequest(p, CURSOR_FILTERS);
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
        router.get(BY_ID, (ctx, p) -> {
            String id = p.pathId("paymentId");
            ctx.json(router.answer(ctx, new Queries.PaymentById(id), "payment '" + id + "' not found"));
        });
    }
}
