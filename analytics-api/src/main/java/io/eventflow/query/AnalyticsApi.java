package io.eventflow.query;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ServiceMetrics;
import io.eventflow.aggregate.AggregateIndices;
import io.eventflow.aggregate.AggregateTypes;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.eventstore.Health;
import io.eventflow.payments.Payments;
import io.eventflow.query.events.EventRoutes;
import io.eventflow.query.http.Cors;
import io.eventflow.query.http.Cursors;
import io.eventflow.query.http.FreshReads;
import io.eventflow.query.http.QueryBus;
import io.eventflow.query.http.QueryRoutes;
import io.eventflow.query.http.Route;
import io.eventflow.query.http.Router;
import io.eventflow.query.payments.PaymentRoutes;
import io.eventflow.query.search.CursorPages;
import io.eventflow.query.search.RawSearch;
import io.eventflow.query.search.Search;
import io.eventflow.query.workflows.WorkflowRoutes;
import io.eventflow.workflows.Workflows;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST read side, wired by hand. Data routes need an API key ({@code X-API-Key} or
 * {@code Authorization: Bearer}); each key sees one organization, or all for an admin key, and
 * that filter goes into every Elasticsearch query. Errors are RFC 9457 problems
 * ({@code application/problem+json}): 400 naming the parameter and what it allows, 401, 404, and
 * 503 with Retry-After when Elasticsearch is unavailable; a stack trace never reaches a client.
 * The routes are documented in {@code /openapi.json}. Thread-safe; {@link #close} stops it.
 */
public final class AnalyticsApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AnalyticsApi.class);

    /**
     * Parameters, in a path or a query, whose values are ids: checked against
     * {@link io.eventflow.eventstore.EnvelopeRules}, and documented with its pattern and length.
     */
    static final Set<String> ID_PARAMETERS = Set.of("paymentId", "workflowId", "aggregateId", "organizationId",
            "userId");

    private final ElasticsearchClient elasticsearch;
    private final Router router;

    private AnalyticsApi(AnalyticsApiConfig config, PrometheusMeterRegistry metrics, Clock clock) {
        this.elasticsearch = ElasticsearchClients.connectAndCheck(config.elasticsearch());
        ObjectMapper json = ElasticsearchClients.objectMapper();
        // The aggregate types this API serves: one line per type.
        AggregateTypes types = AggregateTypes.of(
                Payments.TYPE,
                Workflows.TYPE);
        EventStoreIndices indices = AggregateIndices.of(config.getString(AnalyticsApiConfig.INDEX_PREFIX), types);
        RawSearch raw = new RawSearch(ElasticsearchClients.restClient(elasticsearch), json);
        Cursors cursors = new Cursors(cursorSecrets(config), Duration.ofMillis(config.getLong(AnalyticsApiConfig.CURSOR_TTL_MS)),
                clock);
        Search search = new Search(elasticsearch, raw,
                new CursorPages(elasticsearch, raw, cursors, config.getInt(AnalyticsApiConfig.PIT_MAX_PER_TENANT), clock),
                new FreshReads(Duration.ofMillis(config.getLong(AnalyticsApiConfig.READ_WAIT_TIMEOUT_MS)),
                        config.getInt(AnalyticsApiConfig.READ_WAIT_MAX_CONCURRENT), clock, metrics),
                config.getInt(AnalyticsApiConfig.MAX_PAGE_SIZE));
        QueryBus bus = new QueryBus(Duration.ofMillis(config.getLong(AnalyticsApiConfig.CACHE_TTL_MS)),
                config.getLong(AnalyticsApiConfig.CACHE_MAX_ENTRIES), metrics);
        this.router = new Router(config.apiKeys(), bus, new Cors(config.getList(AnalyticsApiConfig.CORS_ALLOWED_ORIGINS)),
                metrics, json);
        serviceRoutes(router, new Readiness(elasticsearch, indices), metrics, openApiDocument());
        // One entry per query package; each registers its own queries and routes.
        List<QueryRoutes> queryRoutes = List.of(
                new EventRoutes(search, indices, types, config.getInt(AnalyticsApiConfig.HISTORY_PAGE_SIZE)),
                new PaymentRoutes(search, indices),
                new WorkflowRoutes(search, indices));
        queryRoutes.forEach(r -> r.register(bus, router));
    }

    public static AnalyticsApi start(AnalyticsApiConfig config) {
        AnalyticsApi api = new AnalyticsApi(Objects.requireNonNull(config, "config"),
                ServiceMetrics.prometheus(), Clock.systemUTC());
        api.router.start(config.getString(AnalyticsApiConfig.HTTP_HOST), config.getInt(AnalyticsApiConfig.HTTP_PORT));
        log.info("analytics-api listening on port {}", api.port());
        return api;
    }

    /** The bound port (useful with http.port=0). */
    public int port() {
        return router.port();
    }

    /** Every route served; the OpenAPI document must list exactly these (a test checks it). */
    List<Route> routes() {
        return router.routes();
    }

    /** Health, metrics and the OpenAPI document: open to all, no API key. */
    private static void serviceRoutes(Router router, Readiness readiness, PrometheusMeterRegistry metrics,
            byte[] openApi) {
        // Liveness: this process serves requests; readiness (also /health, as before): it can answer
        // queries, i.e. Elasticsearch answers and the indices exist.
        router.get(open("/health/live"), (ctx, p) -> health(ctx, Health.UP, true));
        router.get(open("/health/ready"), (ctx, p) -> health(ctx, readiness.check(), false));
        router.get(open("/health"), (ctx, p) -> health(ctx, readiness.check(), false));
        router.get(open("/metrics"), (ctx, p) -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.scrape()));
        router.get(open("/openapi.json"), (ctx, p) -> ctx.contentType("application/json").result(openApi));
    }

    private static Route open(String path) {
        return new Route(path, Set.of(), false);
    }

    /** The configured secrets, else one random secret for this process, with a warning. */
    private static List<byte[]> cursorSecrets(AnalyticsApiConfig config) {
        List<byte[]> secrets = config.cursorSecrets();
        if (!secrets.isEmpty()) {
            return secrets;
        }
        log.warn("{} is not set: pagination cursors are signed with a random secret of this process, so a cursor "
                + "fails (400) on another instance or after a restart; set the same secrets on every instance",
                AnalyticsApiConfig.CURSOR_SECRETS);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return List.of(secret);
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
            body.put("elasticsearch", !Readiness.ES_UNREACHABLE.equals(h.reason()) ? "reachable" : "unreachable");
        }
        ctx.header("Cache-Control", "no-store");
        ctx.status((liveness ? h.live() : h.ready()) ? 200 : 503).json(body);
    }

    @Override
    public void close() {
        router.stop();
        ElasticsearchClients.close(elasticsearch);
    }
}
