package io.eventflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.EnvelopeRules;
import io.eventflow.query.http.Cursor;
import io.eventflow.query.http.Cursors;
import io.eventflow.query.http.Route;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every id the API takes, in a path or a filter, is checked against {@link EnvelopeRules} before any
 * query runs: a violation is a 400 problem naming the parameter with the rule in its detail. The
 * API runs against an unreachable Elasticsearch, so a request that passes validation answers 503.
 */
class IdParametersTest {
    private static final String KEY = "unit-admin-key";
    private static final String SECRET = "id-parameters-test-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Every punctuation character an id may hold, between letters and digits. */
    private static final String ALL_ALLOWED = "Az09-._~!$&'()*+,;=:@Zz";
    /** Raw values (before percent-encoding) that break the rules in different ways. */
    private static final List<String> BAD = List.of("a b", "caf\u00e9", "x".repeat(EnvelopeRules.MAX_ID_BYTES + 1), "a<b",
            "50%", "a\"b", "{x}", "a|b");
    /** Parameters a route needs besides the one under test. */
    private static final Map<String, String> REQUIRED = Map.of("/events/stats", "eventType=PaymentProcessed&",
            "/events/trends", "interval=day&", "/payments/trends", "interval=day&");

    private static AnalyticsApi api;

    @BeforeAll
    static void start() {
        api = AnalyticsApi.start(new AnalyticsApiConfig(Map.of(AnalyticsApiConfig.HTTP_HOST, "127.0.0.1",
                AnalyticsApiConfig.HTTP_PORT, "0", AnalyticsApiConfig.ELASTICSEARCH_URL, "http://127.0.0.1:1",
                AnalyticsApiConfig.API_KEYS, KEY + ":*", AnalyticsApiConfig.CACHE_TTL_MS, "0",
                AnalyticsApiConfig.CURSOR_SECRETS, SECRET)));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    private record Case(String route, String parameter, boolean inPath) {
        String url(String value) {
            String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
            if (inPath) {
                return route.replace("{" + parameter + "}", encoded);
            }
            return route + "?" + REQUIRED.getOrDefault(route, "") + parameter + "=" + encoded;
        }
    }

    /** Every (route, id parameter) pair the API serves. */
    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (Route r : api.routes()) {
            for (String id : AnalyticsApi.ID_PARAMETERS) {
                if (r.path().contains("{" + id + "}")) {
                    cases.add(new Case(r.path(), id, true));
                }
                if (r.parameters().contains(id)) {
                    cases.add(new Case(r.path(), id, false));
                }
            }
        }
        return cases;
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + pathAndQuery))
                .header("X-API-Key", KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyIdParameterIsCovered() {
        assertThat(cases()).extracting(Case::parameter).containsAll(AnalyticsApi.ID_PARAMETERS);
        assertThat(cases()).hasSize(13);
    }

    @Test
    void anIdThatBreaksTheRulesIsA400NamingTheParameterWithTheRule() throws Exception {
        for (Case c : cases()) {
            List<String> bad = new ArrayList<>(BAD);
            if (!c.inPath()) {
                bad.add(""); // an empty path segment is another route
            }
            for (String value : bad) {
                HttpResponse<String> r = get(c.url(value));
                String what = c + " = '" + value + "' -> " + r.body();
                assertThat(r.statusCode()).as(what).isEqualTo(400);
                assertThat(r.headers().firstValue("Content-Type").orElse("")).as(what)
                        .startsWith("application/problem+json");
                JsonNode body = JSON.readTree(r.body());
                assertThat(body.path("parameter").asText()).as(what).isEqualTo(c.parameter());
                assertThat(body.path("detail").asText()).as(what)
                        .isEqualTo(EnvelopeRules.idViolation(c.parameter(), value).orElseThrow());
            }
        }
    }

    @Test
    void anIdThatMeetsTheRulesReachesElasticsearch() throws Exception {
        for (Case c : cases()) {
            for (String value : List.of(ALL_ALLOWED, "p", "x".repeat(EnvelopeRules.MAX_ID_BYTES))) {
                // In a path every allowed character may go unencoded; in a query string &, = and + may not.
                String url = c.inPath() ? c.route().replace("{" + c.parameter() + "}", value) : c.url(value);
                HttpResponse<String> r = get(url);
                // 503: validation passed and the query went to the (unreachable) event store.
                assertThat(r.statusCode()).as("%s = '%s' -> %s", c, value, r.body()).isEqualTo(503);
            }
        }
    }

    @Test
    void anIdCarriedInACursorMeetsTheSameRules() throws Exception {
        // Only this API can sign a cursor; were a bad id ever signed, it is still refused.
        Cursors cursors = new Cursors(List.of(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                java.time.Duration.ofMinutes(5), java.time.Clock.systemUTC());
        for (String route : List.of("/events", "/payments")) {
            for (String field : route.equals("/events") ? List.of("organizationId", "userId") : List.of("organizationId")) {
                Map<String, Object> filters = new LinkedHashMap<>();
                filters.put(field, "a b");
                String cursor = cursors.encode(route, io.eventflow.query.auth.Tenant.ADMIN, filters,
                        new Cursor(null, List.of(1L, "x")));
                HttpResponse<String> r = get(route + "?cursor=" + cursor);
                assertThat(r.statusCode()).as(route + " " + field).isEqualTo(400);
                JsonNode body = JSON.readTree(r.body());
                assertThat(body.path("parameter").asText()).isEqualTo("cursor");
                assertThat(body.path("detail").asText()).isEqualTo(EnvelopeRules.idViolation(field, "a b").orElseThrow());
            }
        }
    }
}
