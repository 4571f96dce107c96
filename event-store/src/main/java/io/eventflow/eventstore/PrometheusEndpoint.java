package io.eventflow.eventstore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoint of services that have no HTTP server of their own (command-service,
 * projector), served by the JDK's HTTP server. Its handler thread is a daemon, but the JDK's dispatcher
 * thread is not: a main whose work died must {@link #close} it or exit, or the JVM stays half-alive.
 * <ul>
 *   <li>{@code GET /metrics}: the Prometheus text format;</li>
 *   <li>{@code GET /health/live}: 200 while the service is live, else 503;</li>
 *   <li>{@code GET /health/ready} (and {@code GET /health}): 200 when ready, else 503.</li>
 * </ul>
 * The health bodies are JSON: {@code {"status":"UP|NOT_READY|DOWN","live":..,"ready":..,"reason":..}}.
 * The health supplier is called on the endpoint's thread and must be quick and thread-safe.
 */
public final class PrometheusEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PrometheusEndpoint.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;

    private PrometheusEndpoint(HttpServer server) {
        this.server = server;
    }

    /** An endpoint whose health is always {@link Health#UP}. @param port 0 picks a free port */
    public static PrometheusEndpoint start(PrometheusMeterRegistry registry, int port) {
        return start(registry, port, () -> Health.UP);
    }

    /**
     * @param port 0 picks a free port
     * @param health the service's current health; not null, called per request
     */
    public static PrometheusEndpoint start(PrometheusMeterRegistry registry, int port, Supplier<Health> health) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(health, "health");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
            server.createContext("/health", exchange -> {
                try (exchange) {
                    if (!"GET".equals(exchange.getRequestMethod())) {
                        exchange.sendResponseHeaders(405, -1);
                        return;
                    }
                    String path = exchange.getRequestURI().getPath();
                    boolean liveness = path.equals("/health/live");
                    if (!liveness && !path.equals("/health/ready") && !path.equals("/health")) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                    Health h = current(health);
                    boolean ok = liveness ? h.live() : h.ready();
                    byte[] body = json(h).getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.getResponseHeaders().set("Cache-Control", "no-store");
                    exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            });
            server.createContext("/metrics", exchange -> {
                try (exchange) {
                    if (!"GET".equals(exchange.getRequestMethod())) {
                        exchange.sendResponseHeaders(405, -1);
                        return;
                    }
                    byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            });
            server.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "prometheus-endpoint");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return new PrometheusEndpoint(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on port " + port + " (set metrics.port)", e);
        }
    }

    /**
     * Starts the endpoint unless {@code port} is -1 (the services' "off" value) and logs where it
     * listens. The caller closes it on shutdown.
     */
    public static Optional<PrometheusEndpoint> startUnlessDisabled(PrometheusMeterRegistry registry, int port) {
        return startUnlessDisabled(registry, port, () -> Health.UP);
    }

    /** As {@link #startUnlessDisabled(PrometheusMeterRegistry, int)}, reporting {@code health}. */
    public static Optional<PrometheusEndpoint> startUnlessDisabled(PrometheusMeterRegistry registry, int port,
            Supplier<Health> health) {
        if (port < 0) {
            return Optional.empty();
        }
        PrometheusEndpoint endpoint = start(registry, port, health);
        log.info("metrics at http://0.0.0.0:{}/metrics, health at /health/live and /health/ready", endpoint.port());
        return Optional.of(endpoint);
    }

    private static Health current(Supplier<Health> health) {
        try {
            return Objects.requireNonNull(health.get(), "health");
        } catch (RuntimeException e) {
            // A check that throws says nothing about the service: report it, never a 500 that a
            // supervisor would read as "dead".
            return Health.notReady("health check failed: " + e);
        }
    }

    /** The health body. */
    static String json(Health h) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", h.status());
        body.put("live", h.live());
        body.put("ready", h.ready());
        body.put("reason", h.reason());
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a health body", e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
