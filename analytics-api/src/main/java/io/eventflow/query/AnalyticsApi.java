package io.eventflow.query;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.Health;
import io.eventflow.eventstore.ElasticsearchErrors;
import io.eventflow.eventstore.EventStoreIndices;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST read side, wired by hand. Data routes need an API key ({@code X-API-Key} or
 * {@code Authorization: Bearer}); each key sees one organization, or all for an admin key, and
 * that filter goes into every Elasticsearch query. Errors are RFC 9457 problems
 * ({@code application/problem+json}): 400 naming the parameter and what it allows, 401, 404, and
 * 503 with Retry-After when Elasticsearch is unavailable; a stack trace never reaches a client.
 * The routes are in {@link #ROUTES} and documented in {@code /openapi.json}. Thread-safe;
 * {@link #close} stops it.
 */
public final class AnalyticsApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AnalyticsApi.class);
    static final String PROBLEM_JSON = "application/problem+json";
    private static final String TENANT = "eventflow.tenant";
    private static final String STARTED = "eventflow.started";
    private static final List<String> STATUSES = List.of("processed", "failed", "refunded");

    /** A GET route: its path (Javalin syntax), query parameters, and whether it needs an API key. */
    record Route(String path, Set<String> parameters, boolean authenticated) {
    }

    /**
     * Parameters, in a path or a query, whose values are ids: checked against
     * {@link io.eventflow.eventstore.EnvelopeRules}, and documented with its pattern and length.
     */
    static final Set<String> ID_PARAMETERS = Set.of("paymentId", "aggregateId", "organizationId", "userId");

    /** Every route; the OpenAPI document must list exactly these (a test checks it). */
    static final List<Route> ROUTES = List.of(
            new Route("/health", Set.of(), false),
            new Route("/health/live", Set.of(), false),
            new Route("/health/ready", Set.of(), false),
            new Route("/metrics", Set.of(), false),
            new Route("/openapi.json", Set.of(), false),
            new Route("/events", Set.of("aggregateType", "eventType", "q", "from", "to", "organizationId", "userId",
                    "size", "cursor"), true),
            new Route("/events/stats", Set.of("eventType", "from", "to", "organizationId"), true),
            new Route("/events/trends", Set.of("interval", "timeZone", "from", "to", "eventType", "aggregateType",
                    "organizationId"), true),
            new Route("/payments", Set.of("status", "organizationId", "currency", "from", "to", "size", "cursor"), true),
            new Route("/payments/stats", Set.of("from", "to", "organizationId", "currency"), true),
            new Route("/payments/{paymentId}", Set.of(), true),
            new Route("/aggregates/{aggregateId}/events", Set.of("asOf"), true));

    private final ElasticsearchClient elasticsearch;
    private final EventQueries queries;
    private final QueryBus bus;
    private final ApiKeys keys;
    private final int maxPageSize;
    private final PrometheusMeterRegistry metrics;
    private final ObjectMapper json = ElasticsearchClients.objectMapper();
    private final byte[] openApi;
    private final java.util.concurrent.ConcurrentMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();
    private final Javalin app;

    private AnalyticsApi(AnalyticsApiConfig config, PrometheusMeterRegistry metrics) {
        this.elasticsearch = ElasticsearchClients.connect(config.getString(AnalyticsApiConfig.ELASTICSEARCH_URL));
        this.queries = new EventQueries(elasticsearch, new EventStoreIndices(config.getString(AnalyticsApiConfig.INDEX_PREFIX)),
                config.getInt(AnalyticsApiConfig.HISTORY_PAGE_SIZE));
        this.keys = config.apiKeys();
        this.maxPageSize = config.getInt(AnalyticsApiConfig.MAX_PAGE_SIZE);
        this.metrics = metrics;
        this.bus = queryBus(queries, Duration.ofMillis(config.getLong(AnalyticsApiConfig.CACHE_TTL_MS)),
                config.getLong(AnalyticsApiConfig.CACHE_MAX_ENTRIES), metrics);
        this.openApi = openApiDocument();
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.jsonMapper(new JavalinJackson(json, false));
            // Jetty answers malformed requests before any route runs: make those problems too.
            c.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
        });
        routes();
    }

    static QueryBus queryBus(EventQueries q, Duration ttl, long maxEntries, MeterRegistry metrics) {
        return new QueryBus(ttl, maxEntries, metrics)
                .register(Queries.EventSearch.class, q::search)
                .register(Queries.EventStats.class, q::stats)
                .register(Queries.EventTrends.class, q::trends)
                .register(Queries.PaymentById.class, q::payment)
                .register(Queries.PaymentSearch.class, q::payments)
                .register(Queries.PaymentStats.class, q::paymentStats)
                .register(Queries.History.class, q::history);
    }

    public static AnalyticsApi start(AnalyticsApiConfig config) {
        AnalyticsApi api = new AnalyticsApi(Objects.requireNonNull(config, "config"),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        api.app.start(config.getString(AnalyticsApiConfig.HTTP_HOST), config.getInt(AnalyticsApiConfig.HTTP_PORT));
        log.info("analytics-api listening on port {}", api.port());
        return api;
    }

    /** The bound port (useful with http.port=0). */
    public int port() {
        return app.port();
    }

    private static byte[] openApiDocument() {
        try (InputStream in = AnalyticsApi.class.getResourceAsStream("openapi.json")) {
            return Objects.requireNonNull(in, "openapi.json is missing").readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read openapi.json", e);
        }
    }

    private static void health(Context ctx, Health h, boolean liveness) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", h.status());
        body.put("live", h.live());
        body.put("ready", h.ready());
        body.put("reason", h.reason());
        if (!liveness) {
            body.put("elasticsearch", !EventQueries.ES_UNREACHABLE.equals(h.reason())
                    ? "reachable" : "unreachable");
        }
        ctx.header("Cache-Control", "no-store");
        ctx.status((liveness ? h.live() : h.ready()) ? 200 : 503).json(body);
    }

    private Route route(String path) {
        return ROUTES.stream().filter(r -> r.path().equals(path)).findFirst().orElseThrow();
    }

    /** A route handler, given the request's parameters already checked against the route's. */
    @FunctionalInterface
    private interface RouteHandler {
        void handle(Context ctx, QueryParameters p) throws Exception;
    }

    private void get(String path, RouteHandler handler) {
        Set<String> allowed = route(path).parameters();
        app.get(path, ctx -> handler.handle(ctx, QueryParameters.of(ctx, allowed)));
    }

    private void routes() {
        app.before(ctx -> {
            ctx.attribute(STARTED, System.nanoTime());
            if (ctx.path().equals("/health") || ctx.path().equals("/health/live") || ctx.path().equals("/health/ready")
                    || ctx.path().equals("/metrics") || ctx.path().equals("/openapi.json")) {
                return;
            }
            String key = ctx.header("X-API-Key");
            String auth = ctx.header("Authorization");
            if (key == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                key = auth.substring(7).trim();
            }
            Tenant tenant = keys.tenant(key).orElse(null);
            if (tenant == null) {
                ctx.header("WWW-Authenticate", "ApiKey header=\"X-API-Key\"");
                throw new ProblemException(401, "Unauthorized", key == null ? "an API key is required (X-API-Key header)"
                        : "the API key is not valid", null, null);
            }
            ctx.attribute(TENANT, tenant);
        });
        app.after(ctx -> {
            Long started = ctx.attribute(STARTED);
            if (started != null) {
                String route = ctx.endpointHandlerPath();
                timer(route == null || route.isBlank() ? "unmatched" : route, ctx.statusCode())
                        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            }
        });

        // Liveness: this process serves requests; readiness (also /health, as before): it can answer
        // queries, i.e. Elasticsearch answers and the indices exist.
        get("/health/live", (ctx, p) -> health(ctx, Health.UP, true));
        get("/health/ready", (ctx, p) -> health(ctx, queries.readiness(), false));
        get("/health", (ctx, p) -> health(ctx, queries.readiness(), false));
        get("/metrics", (ctx, p) -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        get("/openapi.json", (ctx, p) -> ctx.contentType("application/json").result(openApi));

        get("/events", (ctx, p) -> {
            int size = p.intInRange("size", 100, 1, maxPageSize);
            Queries.EventSearch q;
            if (p.has("cursor")) {
                Map<String, Object> c = cursorOnly(p, "/events");
                q = new Queries.EventSearch(str(c, "aggregateType"), str(c, "eventType"), str(c, "q"), instant(c, "from"),
                        instant(c, "to"), cursorId(c, "organizationId"), cursorId(c, "userId"), size, cursor(c));
            } else {
                Instant[] range = p.range();
                q = new Queries.EventSearch(p.term("aggregateType"), p.term("eventType"), p.text("q"), range[0], range[1],
                        p.id("organizationId"), p.id("userId"), size, null);
            }
            page(ctx, (Queries.Page) ask(ctx, q), "events");
        });
        get("/events/stats", (ctx, p) -> {
            Instant[] range = p.range();
            ctx.json(ask(ctx, new Queries.EventStats(p.required("eventType"), range[0], range[1], p.id("organizationId"))));
        });
        get("/events/trends", (ctx, p) -> {
            Queries.Interval interval = p.oneOf("interval", Queries.Interval.class, null);
            Instant[] range = p.range();
            checkBuckets(interval, range[0], range[1]);
            ctx.json(ask(ctx, new Queries.EventTrends(p.term("eventType"), p.term("aggregateType"), range[0], range[1],
                    interval, p.zone("timeZone"), p.id("organizationId"))));
        });
        get("/payments", (ctx, p) -> {
            int size = p.intInRange("size", 100, 1, maxPageSize);
            Queries.PaymentSearch q;
            if (p.has("cursor")) {
                Map<String, Object> c = cursorOnly(p, "/payments");
                q = new Queries.PaymentSearch(str(c, "status"), cursorId(c, "organizationId"), str(c, "currency"),
                        instant(c, "from"), instant(c, "to"), size, cursor(c));
            } else {
                Instant[] range = p.range();
                q = new Queries.PaymentSearch(p.oneOf("status", STATUSES), p.id("organizationId"), p.currency("currency"),
                        range[0], range[1], size, null);
            }
            page(ctx, (Queries.Page) ask(ctx, q), "payments");
        });
        get("/payments/stats", (ctx, p) -> {
            Instant[] range = p.range();
            ctx.json(ask(ctx, new Queries.PaymentStats(range[0], range[1], p.id("organizationId"), p.currency("currency"))));
        });
        get("/payments/{paymentId}", (ctx, p) -> {
            String id = p.pathId("paymentId");
            ctx.json(answer(ctx, new Queries.PaymentById(id), "payment '" + id + "' not found"));
        });
        get("/aggregates/{aggregateId}/events", (ctx, p) -> {
            String id = p.pathId("aggregateId");
            ctx.json(answer(ctx, new Queries.History(id, p.instant("asOf")),
                    "aggregate '" + id + "' has no events" + (p.has("asOf") ? " up to asOf" : "")));
        });

        app.exception(ProblemException.class, (e, ctx) -> problem(ctx, e.status(), e.title(), e.getMessage(),
                e.parameter(), e.allowed()));
        app.exception(Exception.class, (e, ctx) -> {
            if (ElasticsearchErrors.isTransient(e)) {
                log.warn("{} {} failed: Elasticsearch unavailable: {}", ctx.method(), ctx.path(), e.toString());
                ctx.header("Retry-After", "5");
                problem(ctx, 503, "Service Unavailable", "the event store is unavailable; retry later", null, null);
            } else {
                log.error("{} {} failed", ctx.method(), ctx.path(), e);
                problem(ctx, 500, "Internal Server Error", "the request failed; it has been logged", null, null);
            }
        });
        app.error(404, ctx -> {
            if (!PROBLEM_JSON.equals(ctx.res().getContentType())) {
                problem(ctx, 404, "Not Found", "no route for " + ctx.method() + " " + ctx.path(), null, null);
            }
        });
        app.error(405, ctx -> problem(ctx, 405, "Method Not Allowed", "only GET is supported", null, null));
    }

    /** Looking a timer up per request costs more than recording into it: keep them. */
    private Timer timer(String route, int status) {
        return timers.computeIfAbsent(route + " " + status, k -> Timer.builder("http.server.requests")
                .description("Request latency by route and status").tag("method", "GET").tag("route", route)
                .tag("status", String.valueOf(status)).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(metrics));
    }

    private Object ask(Context ctx, Object query) {
        Tenant tenant = ctx.attribute(TENANT);
        return bus.ask(tenant, query).orElse(null);
    }

    private Object answer(Context ctx, Object query, String notFound) {
        Object answer = ask(ctx, query);
        if (answer == null) {
            throw new ProblemException(404, "Not Found", notFound, null, null);
        }
        return answer;
    }

    private void page(Context ctx, Queries.Page page, String itemsName) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", page.total());
        body.put("totalRelation", page.totalRelation());
        body.put(itemsName, page.items());
        body.put("next", page.next());
        ctx.json(body);
    }

    /** With a cursor, the query's filters come from the cursor; only size may be given besides. */
    private static Map<String, Object> cursorOnly(QueryParameters p, String path) {
        for (String name : List.of("aggregateType", "eventType", "q", "from", "to", "organizationId", "userId", "status",
                "currency")) {
            if (p.has(name)) {
                throw new BadParameterException(name, "a cursor carries the query's filters; pass only cursor and size",
                        List.of("cursor", "size"));
            }
        }
        return Cursors.decode(p.cursor("cursor"));
    }

    private static String str(Map<String, Object> c, String name) {
        Object v = c.get(name);
        return v == null ? null : v.toString();
    }

    /** An id a cursor carries: a cursor is client input too, so it meets the same rules. */
    private static String cursorId(Map<String, Object> c, String name) {
        String v = str(c, name);
        return v == null ? null : QueryParameters.checkId("cursor", name, v);
    }

    private static Instant instant(Map<String, Object> c, String name) {
        String v = str(c, name);
        try {
            return v == null ? null : Instant.parse(v);
        } catch (RuntimeException e) {
            throw new BadParameterException("cursor", "cursor is not a value this API returned as 'next'");
        }
    }

    @SuppressWarnings("unchecked")
    private static Queries.Cursor cursor(Map<String, Object> c) {
        return new Queries.Cursor((String) c.get("pit"), new ArrayList<>((List<Object>) c.get("after")));
    }

    /** A date histogram over a range may not ask for more buckets than Elasticsearch allows. */
    private static void checkBuckets(Queries.Interval interval, Instant from, Instant to) {
        if (from == null || to == null) {
            return;
        }
        long seconds = Duration.between(from, to).getSeconds();
        long bucket = switch (interval) {
            case HOUR -> 3_600L;
            case DAY -> 86_400L;
            case WEEK -> 7 * 86_400L;
            case MONTH -> 28 * 86_400L;
        };
        if (seconds / bucket > 10_000) {
            throw new BadParameterException("interval", "from..to holds more than 10,000 " + interval.name().toLowerCase()
                    + " buckets; use a coarser interval or a shorter range", List.of("hour", "day", "week", "month"));
        }
    }

    private void problem(Context ctx, int status, String title, String detail, String parameter, List<String> allowed) {
        ctx.status(status).contentType(PROBLEM_JSON).result(problemBody(json, status, title, detail, parameter, allowed,
                ctx.path()));
    }

    static byte[] problemBody(ObjectMapper json, int status, String title, String detail, String parameter,
            List<String> allowed, String instance) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (instance != null) {
            body.put("instance", instance.length() > 200 ? instance.substring(0, 200) : instance);
        }
        if (parameter != null) {
            body.put("parameter", parameter.length() > 64 ? parameter.substring(0, 64) : parameter);
        }
        if (allowed != null) {
            body.put("allowed", allowed);
        }
        try {
            return json.writeValueAsBytes(body);
        } catch (IOException e) {
            return ("{\"title\":\"" + title + "\",\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        app.stop();
        ElasticsearchClients.close(elasticsearch);
    }
}
