package io.eventflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the HTTP layer answers before any query runs (Elasticsearch is unreachable here): CORS
 * preflights, wrong methods, and request contents that used to be a 5xx.
 */
class HttpEdgesTest {
    private static final String KEY = "edges-admin-key";
    private static final String ALLOWED = "https://dashboard.example.com";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static AnalyticsApi api;

    @BeforeAll
    static void start() {
        api = AnalyticsApi.start(new AnalyticsApiConfig(Map.of(AnalyticsApiConfig.HTTP_HOST, "127.0.0.1",
                AnalyticsApiConfig.HTTP_PORT, "0", AnalyticsApiConfig.ELASTICSEARCH_URL, "http://127.0.0.1:1",
                AnalyticsApiConfig.API_KEYS, KEY + ":*", AnalyticsApiConfig.CORS_ALLOWED_ORIGINS, ALLOWED)));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + pathAndQuery));
    }

    /** A GET written byte for byte: java.net.URI refuses the malformed escapes a client can still send. */
    private static String rawGet(String pathAndQuery) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + KEY
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnswered() throws Exception {
        HttpResponse<String> r = send(request("/payments/stats").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ALLOWED).header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "x-api-key"));
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED);
        assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).contains("GET");
        assertThat(r.headers().firstValue("Access-Control-Allow-Headers").orElse("")).containsIgnoringCase("x-api-key");
        assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    }

    @Test
    void aPreflightFromAnotherOriginIsRefused() throws Exception {
        HttpResponse<String> r = send(request("/payments/stats").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example.net").header("Access-Control-Request-Method", "GET"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void aCrossOriginReadIsMarkedForAllowedOriginsOnly() throws Exception {
        HttpResponse<String> allowed = send(request("/health/live").header("Origin", ALLOWED));
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED);
        HttpResponse<String> other = send(request("/health/live").header("Origin", "https://evil.example.net"));
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(other.headers().allValues("Vary")).anySatisfy(v -> assertThat(v).containsIgnoringCase("Origin"));
    }

    @Test
    void aWrongMethodIs405WithAllow() throws Exception {
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
            HttpResponse<String> r = send(request("/events").method(method, HttpRequest.BodyPublishers.ofString("{}")));
            assertThat(r.statusCode()).as(method).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).as(method).contains("GET, OPTIONS");
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
    }

    @Test
    void requestContentsThatWereA5xxAreA400() throws Exception {
        for (String q : new String[] {"/events?q=%", "/events?q=50%", "/events?q=%zz", "/payments?currency=%E2%28",
                "/events?from=%2B10000-01-01T00:00:00Z", "/events?to=-0001-01-01T00:00:00Z",
                "/aggregates/a-1/events?asOf=%2B99999-01-01T00:00:00Z", "/events?cursor=e30.AAAA",
                "/payments/p-1?minVersion=x", "/payments/%", "/payments/%?=day", "/aggregates/%zz/events", "/payments/trends?interval=day&from=2026-01-01&to=2030-01-01&timeZone=Mars/Base"}) {
            String r = rawGet(q);
            assertThat(r).as(q).startsWith("HTTP/1.1 400 ");
            assertThat(r).as(q).containsIgnoringCase("content-type: application/problem+json");
        }
    }
}
