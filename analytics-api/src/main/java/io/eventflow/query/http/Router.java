package io.eventflow.query.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchErrors;
import io.eventflow.query.auth.ApiKeys;
import io.eventflow.query.auth.Tenant;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server and its GET routes. Routes that need an API key get the key's {@link Tenant}
 * (401 without one); the tenant goes with every query asked through {@link #ask}. Errors are
 * RFC 9457 problems ({@code application/problem+json}): {@link ProblemException}s as they say,
 * 404 and 405 for unknown routes and methods, 503 with Retry-After when Elasticsearch is
 * unavailable, else 500; a stack trace never reaches a client. Latency is recorded per route and
 * status as {@code http.server.requests}. Routes are registered before {@link #start}; serving is
 * thread-safe. The web dashboard's static files ({@link Dashboard}) are served too, without a key.
 */
public final class Router {
    private static final Logger log = LoggerFactory.getLogger(Router.class);
    private static final String TENANT = "eventflow.tenant";
    private static final String STARTED = "eventflow.started";
    /** The methods every route answers, for {@code Allow}. */
    static final String ALLOW = "GET, OPTIONS";

    private final QueryBus bus;
    private final ApiKeys keys;
    private final MeterRegistry metrics;
    private final ObjectMapper json;
    private final Cors cors;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final Set<String> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final Javalin app;

    /** @param json renders answers and problems */
    public Router(ApiKeys keys, QueryBus bus, Cors cors, MeterRegistry metrics, ObjectMapper json) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.bus = Objects.requireNonNull(bus, "bus");
        this.cors = Objects.requireNonNull(cors, "cors");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.json = Objects.requireNonNull(json, "json");
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            // A known path asked with another method is a 405 with Allow, not a 404.
            c.http.prefer405over404 = true;
            c.jsonMapper(new JavalinJackson(json, false));
            // Jetty answers malformed requests before any route runs: make those problems too.
            c.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
            Dashboard.serve(c);
        });
        filtersAndErrors();
    }

    /** Serves {@code route} with {@code handler}; a path registered twice fails. */
    public Router get(Route route, RouteHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (routes.stream().anyMatch(r -> r.path().equals(route.path()))) {
            throw new IllegalStateException("route " + route.path() + " is already registered");
        }
        routes.add(route);
        if (!route.authenticated()) {
            open.add(route.path());
        }
        Set<String> allowed = route.parameters();
        app.get(route.path(), ctx -> handler.handle(ctx, QueryParameters.of(ctx, allowed)));
        app.options(route.path(), cors::options);
        return this;
    }

    /** The registered routes, in registration order. */
    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /** The tenant of the request's API key (set before any authenticated route runs). */
    public Tenant tenant(Context ctx) {
        return Objects.requireNonNull(ctx.attribute(TENANT), "no tenant: the route is not authenticated");
    }

    /** The answer of the request's tenant to {@code query}; null when there is none (a 404). */
    public Object ask(Context ctx, Object query) {
        Tenant tenant = ctx.attribute(TENANT);
        return bus.ask(tenant, query).orElse(null);
    }

    /** As {@link #ask}, straight from the handler (see {@link QueryBus#askFresh}); empty when there is none. */
    public Optional<Object> askFresh(Context ctx, Object query) {
        return bus.askFresh(tenant(ctx), query);
    }

    /** As {@link #ask}, with a 404 problem saying {@code notFound} when there is no answer. */
    public Object answer(Context ctx, Object query, String notFound) {
        Object answer = ask(ctx, query);
        if (answer == null) {
            throw new ProblemException(404, "Not Found", notFound, null, null);
        }
        return answer;
    }

    /** Answers a page as {@code {total, totalRelation, <itemsName>: [...], next}}. */
    public void page(Context ctx, Page page, String itemsName) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", page.total());
        body.put("totalRelation", page.totalRelation());
        body.put(itemsName, page.items());
        body.put("next", page.next());
        ctx.json(body);
    }

    public void start(String host, int port) {
        app.start(host, port);
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return app.port();
    }

    public void stop() {
        app.stop();
    }

    private void filtersAndErrors() {
        app.before(ctx -> {
            ctx.attribute(STARTED, System.nanoTime());
            cors.decorate(ctx);
            checkPathEncoding(ctx.req().getRequestURI());
            // Only reads serve data: a preflight carries no key, and any other method is a 405.
            if (open.contains(ctx.path()) || Dashboard.isOpen(ctx.path())
                    || (ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD)) {
                return;
            }
            String key = ApiKeys.keyOf(ctx.header("X-API-Key"), ctx.header("Authorization"));
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
                timer(ctx.method().name(), route == null || route.isBlank() ? "unmatched" : route, ctx.statusCode())
                        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            }
        });
        app.exception(ProblemException.class, (e, ctx) -> {
            if (e.retryAfterSeconds() != null) {
                ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
            }
            problem(ctx, e.status(), e.title(), e.getMessage(), e.parameter(), e.allowed());
        });
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
            if (!Problems.PROBLEM_JSON.equals(ctx.res().getContentType())) {
                problem(ctx, 404, "Not Found", "no route for " + ctx.method() + " " + ctx.path(), null, null);
            }
        });
        app.error(405, ctx -> {
            ctx.header("Allow", ALLOW);
            problem(ctx, 405, "Method Not Allowed", ctx.method().name() + " is not supported here; the API only "
                    + "answers " + ALLOW, null, null);
        });
    }

    /**
     * Javalin decodes path parameters before any handler runs and fails on a malformed escape
     * (a lone {@code %}) with an exception that would be a 500: refuse the path first.
     */
    private static void checkPathEncoding(String rawPath) {
        if (rawPath != null && rawPath.indexOf('%') >= 0) {
            try {
                URLDecoder.decode(rawPath, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new BadParameterException("path", "the path is not valid percent-encoding: write a literal % as %25");
            }
        }
    }

    /** Looking a timer up per request costs more than recording into it: keep them. */
    private Timer timer(String method, String route, int status) {
        return timers.computeIfAbsent(method + " " + route + " " + status, k -> Timer.builder("http.server.requests")
                .description("Request latency by route and status").tag("method", method).tag("route", route)
                .tag("status", String.valueOf(status)).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(metrics));
    }

    private void problem(Context ctx, int status, String title, String detail, String parameter, List<String> allowed) {
        ctx.status(status).contentType(Problems.PROBLEM_JSON).result(Problems.body(json, status, title, detail, parameter,
                allowed, ctx.path()));
    }
}
