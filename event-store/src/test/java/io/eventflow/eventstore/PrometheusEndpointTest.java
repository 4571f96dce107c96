package io.eventflow.eventstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PrometheusEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(PrometheusEndpoint endpoint, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void livenessAndReadinessAnswerSeparatelyWithTheReason() throws Exception {
        AtomicReference<Health> health = new AtomicReference<>(Health.UP);
        try (var endpoint = PrometheusEndpoint.start(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), 0, health::get)) {
            assertEquals(200, get(endpoint, "/health/live").statusCode());
            assertEquals(200, get(endpoint, "/health/ready").statusCode());
            assertEquals("{\"status\":\"UP\",\"live\":true,\"ready\":true,\"reason\":null}", get(endpoint, "/health").body());

            health.set(Health.notReady("no partitions \"assigned\" yet"));
            assertEquals(200, get(endpoint, "/health/live").statusCode());
            HttpResponse<String> ready = get(endpoint, "/health/ready");
            assertEquals(503, ready.statusCode());
            assertEquals("{\"status\":\"NOT_READY\",\"live\":true,\"ready\":false,\"reason\":\"no partitions \\\"assigned\\\" yet\"}",
                    ready.body());

            health.set(Health.dead("stream thread died"));
            assertEquals(503, get(endpoint, "/health/live").statusCode());
            assertEquals(503, get(endpoint, "/health").statusCode());
            assertEquals(404, get(endpoint, "/health/other").statusCode());
            assertEquals(200, get(endpoint, "/metrics").statusCode());
        }
    }

    @Test
    void aCheckThatThrowsIsNotReadyButLive() throws Exception {
        try (var endpoint = PrometheusEndpoint.start(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), 0, () -> {
            throw new IllegalStateException("boom");
        })) {
            assertEquals(200, get(endpoint, "/health/live").statusCode());
            HttpResponse<String> ready = get(endpoint, "/health/ready");
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("boom"), ready.body());
        }
    }

    @Test
    void combinesChecksWorstFirst() {
        assertEquals(Health.dead("x"), Health.notReady("y").and(Health.dead("x")));
        assertEquals(Health.notReady("y"), Health.notReady("y").and(Health.UP));
        assertEquals(Health.notReady("z"), Health.UP.and(Health.notReady("z")));
        assertEquals(Health.UP, Health.UP.and(Health.UP));
        assertThrows(IllegalArgumentException.class, () -> new Health(false, true, null));
        assertThrows(NullPointerException.class, () -> Health.notReady(null));
    }
}
