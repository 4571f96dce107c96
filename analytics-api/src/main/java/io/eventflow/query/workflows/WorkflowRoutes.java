package io.eventflow.query.workflows;

import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.query.http.Cursors;
import io.eventflow.query.http.Page;
import io.eventflow.query.http.QueryBus;
import io.eventflow.query.http.QueryRoutes;
import io.eventflow.query.http.Route;
import io.eventflow.query.http.Router;
import io.eventflow.query.search.Search;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The workflow routes: {@code /workflows} (search), {@code /workflows/stats} and
 * {@code /workflows/{workflowId}}, on the workflows read model.
 */
public final class WorkflowRoutes implements QueryRoutes {
    private static final List<String> STATUSES = List.of("running", "completed", "failed", "cancelled");
    private static final Route WORKFLOWS = new Route("/workflows", Set.of("status", "userId", "name", "organizationId",
            "from", "to", "size", "cursor"), true);
    private static final Route STATS = new Route("/workflows/stats", Set.of("from", "to", "organizationId"), true);
    private static final Route BY_ID = new Route("/workflows/{workflowId}", Set.of(), true);
    /** The filters a cursor carries, in the order a 400 names the first one given besides it. */
    private static final List<String> CURSOR_FILTERS = List.of("from", "to", "organizationId", "status", "userId",
            "name");

    private final WorkflowQueries queries;
    private final Cursors cursors;
    private final int maxPageSize;

    public WorkflowRoutes(Search search, EventStoreIndices indices) {
        this.queries = new WorkflowQueries(search, indices, WORKFLOWS.path());
        this.cursors = search.pages().cursors();
        this.maxPageSize = search.maxPageSize();
    }

    @Override
    public void register(QueryBus bus, Router router) {
        bus.register(Queries.WorkflowById.class, queries::workflow)
                .register(Queries.WorkflowSearch.class, queries::workflows)
                .register(Queries.WorkflowStats.class, queries::stats);

        router.get(WORKFLOWS, (ctx, p) -> {
            int size = p.intInRange("size", 100, 1, maxPageSize);
            Queries.WorkflowSearch q;
            if (p.has("cursor")) {
                Cursors.Decoded c = cursors.fromRequest(WORKFLOWS.path(), router.tenant(ctx), p, CURSOR_FILTERS);
                q = new Queries.WorkflowSearch(c.string("status"), c.id("userId"), c.string("name"),
                        c.id("organizationId"), c.instant("from"), c.instant("to"), size, c.cursor());
            } else {
                Instant[] range = p.range();
                q = new Queries.WorkflowSearch(p.oneOf("status", STATUSES), p.id("userId"), p.term("name"),
                        p.id("organizationId"), range[0], range[1], size, null);
            }
            router.page(ctx, (Page) router.ask(ctx, q), "workflows");
        });
        // Before /workflows/{workflowId}: the router matches in registration order.
        router.get(STATS, (ctx, p) -> {
            Instant[] range = p.range();
            ctx.json(router.ask(ctx, new Queries.WorkflowStats(range[0], range[1], p.id("organizationId"))));
        });
        router.get(BY_ID, (ctx, p) -> {
            String id = p.pathId("workflowId");
            ctx.json(router.answer(ctx, new Queries.WorkflowById(id), "workflow '" + id + "' not found"));
        });
    }
}
