package io.eventflow.eventstore;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} in the Prometheus text format, served by the JDK's HTTP server on its own
 * thread. For services that have no HTTP server of their own (command-service, projector).
 */
public final class PrometheusEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PrometheusEndpoint.class);

    private final HttpServer server;

    private PrometheusEndpoint(HttpServer server) {
        this.server = server;
    }

    /** @param port 0 picks a free port */
    public static PrometheusEndpoint start(PrometheusMeterRegistry registry, int port) {
        Objects.requireNonNull(registry, "registry");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
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
        if (port < 0) {
            return Optional.empty();
        }
        PrometheusEndpoint endpoint = start(registry, port);
        log.info("metrics at http://0.0.0.0:{}/metrics", endpoint.port());
        return Optional.of(endpoint);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
