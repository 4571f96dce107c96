package io.eventflow.query;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.ElasticsearchErrors;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.EventStoreIndices;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST read side, wired by hand. Every answer is JSON: 404 for an unknown id, 400 naming the
 * bad parameter, 503 when Elasticsearch is unavailable. Thread-safe; {@link #close} stops it.
 *
 * <pre>
 * GET /health
 * GET /payments/{paymentId}
 * GET /aggregates/{aggregateId}/events                     events in version order
 * GET /events?aggregateType=&amp;eventType=&amp;from=&amp;to=&amp;size=     newest first
 * </pre>
 */
public final class AnalyticsApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AnalyticsApi.class);
    private static final Set<String> SEARCH_PARAMETERS = Set.of("aggregateType", "eventType", "from", "to", "size");

    private final ElasticsearchClient elasticsearch;
    private final EventQueries queries;
    private final int maxPageSize;
    private final Javalin app;

    private AnalyticsApi(AnalyticsApiConfig config) {
        this.elasticsearch = ElasticsearchClients.connect(config.getString(AnalyticsApiConfig.ELASTICSEARCH_URL));
        this.queries = new EventQueries(elasticsearch, new EventStoreIndices(config.getString(AnalyticsApiConfig.INDEX_PREFIX)));
        this.maxPageSize = config.getInt(AnalyticsApiConfig.MAX_PAGE_SIZE);
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.jsonMapper(new JavalinJackson(ElasticsearchClients.objectMapper(), false));
        });
        routes();
    }

    public static AnalyticsApi start(AnalyticsApiConfig config) {
        AnalyticsApi api = new AnalyticsApi(Objects.requireNonNull(config, "config"));
        api.app.start(config.getString(AnalyticsApiConfig.HTTP_HOST), config.getInt(AnalyticsApiConfig.HTTP_PORT));
        log.info("analytics-api listening on port {}", api.port());
        return api;
    }

    /** The bound port (useful with http.port=0). */
    public int port() {
        return app.port();
    }

    private void routes() {
        app.get("/health", ctx -> ctx.json(Map.of("status", "ok")));
        app.get("/payments/{paymentId}", ctx -> {
            String id = ctx.pathParam("paymentId");
            queries.payment(id).ifPresentOrElse(ctx::json,
                    () -> notFound(ctx, "payment '" + id + "' not found"));
        });
        app.get("/aggregates/{aggregateId}/events", ctx -> {
            String id = ctx.pathParam("aggregateId");
            List<EventDocument> events = queries.history(id);
            if (events.isEmpty()) {
                notFound(ctx, "aggregate '" + id + "' has no events");
                return;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("aggregateId", id);
            body.put("version", events.get(events.size() - 1).version());
            body.put("events", events);
            ctx.json(body);
        });
        app.get("/events", ctx -> {
            QueryParameters.allowOnly(ctx, SEARCH_PARAMETERS);
            String aggregateType = QueryParameters.term(ctx, "aggregateType");
            String eventType = QueryParameters.term(ctx, "eventType");
            Instant from = QueryParameters.instant(ctx, "from");
            Instant to = QueryParameters.instant(ctx, "to");
            if (from != null && to != null && from.isAfter(to)) {
                throw new BadParameterException("from", "from (" + from + ") is after to (" + to + ")");
            }
            int size = QueryParameters.intInRange(ctx, "size", 100, 1, maxPageSize);
            EventQueries.SearchResult result = queries.search(aggregateType, eventType, from, to, size);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("total", result.total());
            body.put("events", result.events());
            ctx.json(body);
        });

        app.exception(BadParameterException.class, (e, ctx) -> ctx.status(HttpStatus.BAD_REQUEST)
                .json(error("bad_parameter", e.getMessage(), e.parameter())));
        app.exception(Exception.class, (e, ctx) -> {
            if (ElasticsearchErrors.isTransient(e)) {
                log.warn("{} {} failed: Elasticsearch unavailable: {}", ctx.method(), ctx.path(), e.toString());
                ctx.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "1")
                        .json(error("unavailable", "the event store is unavailable, retry later", null));
            } else {
                log.error("{} {} failed", ctx.method(), ctx.path(), e);
                ctx.status(HttpStatus.INTERNAL_SERVER_ERROR).json(error("internal", "internal error", null));
            }
        });
        app.error(HttpStatus.NOT_FOUND, ctx -> {
            if (!ctx.res().isCommitted() && ctx.result() == null) {
                notFound(ctx, "no route for " + ctx.method() + " " + ctx.path());
            }
        });
    }

    private static void notFound(Context ctx, String message) {
        ctx.status(HttpStatus.NOT_FOUND).json(error("not_found", message, null));
    }

    private static Map<String, Object> error(String code, String message, String parameter) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        if (parameter != null) {
            body.put("parameter", parameter);
        }
        return body;
    }

    @Override
    public void close() {
        app.stop();
        ElasticsearchClients.close(elasticsearch);
    }
}
