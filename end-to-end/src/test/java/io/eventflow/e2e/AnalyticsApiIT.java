package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.aggregate.Histories;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.query.AnalyticsApi;
import io.eventflow.payments.Payments;
import io.eventflow.query.AnalyticsApiConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The analytics API against the real Elasticsearch, on a known dataset indexed straight into its
 * own indices: exact answers for every endpoint, a paginated walk, tenant isolation, and a fuzzer.
 */
class AnalyticsApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-03-10T08:00:00Z");
    private static final String[] ORGS = {"org-a", "org-b", "org-c"};
    private static final int PAYMENTS = 60;
    private static final String ADMIN = "admin-key-1234";
    private static final String ORG_A = "org-a-key-1234";

    private static final List<EventDocument> EVENTS = new ArrayList<>();
    private static final Map<String, Map<String, Object>> VIEWS = new LinkedHashMap<>();
    private static SeededApi seeded;
    private static AnalyticsApi api;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    record Response(int status, String contentType, JsonNode body, HttpResponse<String> raw) {
    }

    /** Payment i: org ORGS[i%3], user u-(i%4), processed at T0 + 10 min * i; every 5th fails, i%4==1 is refunded in full. */
    @BeforeAll
    static void indexDataset() throws Exception {
        for (int i = 0; i < PAYMENTS; i++) {
            String id = "pay-" + i;
            String org = ORGS[i % 3];
            String user = "u-" + (i % 4);
            String currency = i % 2 == 0 ? "EUR" : "USD";
            long amount = 1_000L * (i + 1);
            Instant processed = T0.plus(10L * i, ChronoUnit.MINUTES);
            List<EventDocument> mine = new ArrayList<>();
            mine.add(event(id, 1, "PaymentProcessed", processed, org, user,
                    Map.of("paymentId", id, "amount", amount, "currency", currency, "organizationId", org, "userId", user)));
            if (i % 5 == 0) {
                Instant at = processed.plus(1, ChronoUnit.MINUTES);
                String error = i % 10 == 0 ? "card declined" : "insufficient funds";
                mine.add(event(id, 2, "PaymentFailed", at, org, user, Map.of("paymentId", id, "error", error)));
            } else if (i % 4 == 1) {
                Instant at = processed.plus(2, ChronoUnit.MINUTES);
                mine.add(event(id, 2, "PaymentRefunded", at, org, user, Map.of("paymentId", id, "refundAmount", amount)));
            }
            EVENTS.addAll(mine);
            // The read-model document as the projector writes it: the payments module's one fold.
            Map<String, Object> view = new LinkedHashMap<>(Payments.TYPE.readModel().toDocument(
                    Histories.fold(Payments.TYPE, id, mine)));
            view.put("position", null);
            VIEWS.put(id, view);
        }
        seeded = new SeededApi();
        EVENTS.forEach(seeded::event);
        VIEWS.forEach(seeded::payment);
        api = seeded.start(ADMIN + ":*," + ORG_A + ":org-a", Map.of());
    }

    @AfterAll
    static void stop() {
        if (seeded != null) {
            seeded.close();
        }
    }

    private static EventDocument event(String id, long version, String type, Instant at, String org, String user,
            Map<String, Object> data) {
        return new EventDocument(UUID.nameUUIDFromBytes((id + "#" + version).getBytes()).toString(), id, "Payment", type,
                version, at, "corr-" + id, "cmd-" + id + "-" + version, data,
                Map.of("organizationId", org, "userId", user, "extra", Map.of("channel", "web")));
    }

    /** GET on the analytics API; the answer is checked against openapi.json. */
    static Response get(String pathAndQuery, String key) throws Exception {
        return get(pathAndQuery, key, true);
    }

    /**
     * GET on a path that is deliberately no route of the API (the fuzzer's made-up paths): exempt
     * from openapi.json, visibly; an error answer must still be an RFC 9457 problem.
     */
    static Response getUndocumented(String pathAndQuery, String key) throws Exception {
        return get(pathAndQuery, key, false);
    }

    private static Response get(String pathAndQuery, String key, boolean documented) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + pathAndQuery)).GET();
        if (key != null) {
            b.header("X-API-Key", key);
        }
        HttpResponse<String> r = documented ? OpenApiContract.send(HTTP, b.build())
                : OpenApiContract.sendUndocumented(HTTP, b.build());
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (Exception e) {
            body = null;
        }
        return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), body, r);
    }

    static JsonNode ok(String pathAndQuery, String key) throws Exception {
        Response r = get(pathAndQuery, key);
        assertThat(r.status()).as("%s -> %s", pathAndQuery, r.raw().body()).isEqualTo(200);
        return r.body();
    }

    private static List<EventDocument> events(String org) {
        return EVENTS.stream().filter(e -> org == null || org.equals(e.metadata().get("organizationId"))).toList();
    }

    // ---- exact results ---------------------------------------------------------------------

    @Test
    void statisticsGiveExactTotalsAndBuckets() throws Exception {
        JsonNode s = ok("/events/stats?eventType=PaymentProcessed&from=" + T0 + "&to=" + T0.plus(1, ChronoUnit.DAYS), ADMIN);
        assertThat(s.path("total").asLong()).isEqualTo(PAYMENTS);
        assertThat(s.path("by_hour")).hasSize(10).allSatisfy(b -> assertThat(b.path("count").asLong()).isEqualTo(6));
        assertThat(s.path("by_hour").get(0).path("key").asText()).startsWith("2026-03-10T08:00:00");
        assertThat(buckets(s.path("by_organization"))).isEqualTo(Map.of("org-a", 20L, "org-b", 20L, "org-c", 20L));
        assertThat(buckets(s.path("by_user"))).isEqualTo(Map.of("u-0", 15L, "u-1", 15L, "u-2", 15L, "u-3", 15L));
    }

    private static Map<String, Long> buckets(JsonNode terms) {
        Map<String, Long> out = new TreeMap<>();
        terms.path("buckets").forEach(b -> out.put(b.path("key").asText(), b.path("count").asLong()));
        return out;
    }

    @Test
    void trendsCountEveryEventPerBucketInTheTimeZone() throws Exception {
        JsonNode t = ok("/events/trends?interval=hour&timeZone=Europe/Paris&from=" + T0 + "&to="
                + T0.plus(10, ChronoUnit.HOURS).minusSeconds(1), ADMIN);
        Map<Long, Long> expected = new TreeMap<>();
        for (EventDocument e : EVENTS) {
            expected.merge(e.timestamp().truncatedTo(ChronoUnit.HOURS).toEpochMilli(), 1L, Long::sum);
        }
        assertThat(t.path("buckets")).hasSize(10);
        List<Long> counts = new ArrayList<>();
        t.path("buckets").forEach(b -> counts.add(b.path("count").asLong()));
        assertThat(counts).containsExactlyElementsOf(expected.values());
        assertThat(t.path("buckets").get(0).path("key").asText()).isEqualTo("2026-03-10T09:00:00.000+01:00");
        JsonNode daily = ok("/events/trends?interval=day&from=2026-03-09&to=2026-03-11", ADMIN);
        assertThat(daily.path("buckets")).hasSize(3);
        assertThat(daily.path("buckets").get(1).path("count").asLong()).isEqualTo(EVENTS.size());
    }

    @Test
    void aPaginatedWalkSeesEveryEventOnceNewestFirst() throws Exception {
        List<String> seen = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            JsonNode page = ok(next == null ? "/events?size=7" : "/events?size=7&cursor=" + next, ADMIN);
            assertThat(page.path("total").asLong()).isEqualTo(EVENTS.size());
            page.path("events").forEach(e -> {
                seen.add(e.path("eventId").asText());
                times.add(Instant.parse(e.path("timestamp").asText()));
            });
            next = page.path("next").isNull() ? null : page.path("next").asText();
            pages++;
        } while (next != null);
        assertThat(seen).hasSize(EVENTS.size()).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(EVENTS.stream().map(EventDocument::eventId).collect(Collectors.toSet()));
        assertThat(times).isSortedAccordingTo((a, b) -> b.compareTo(a));
        assertThat(pages).isEqualTo((EVENTS.size() + 6) / 7);
    }

    @Test
    void searchFiltersAndFullTextAreExact() throws Exception {
        assertThat(ok("/events?eventType=PaymentFailed", ADMIN).path("total").asLong()).isEqualTo(12);
        assertThat(ok("/events?q=declined", ADMIN).path("total").asLong()).isEqualTo(6);
        assertThat(ok("/events?q=web%20funds&eventType=PaymentFailed", ADMIN).path("total").asLong()).isEqualTo(6);
        assertThat(ok("/events?userId=u-1&organizationId=org-b", ADMIN).path("total").asLong())
                .isEqualTo(EVENTS.stream().filter(e -> "u-1".equals(e.metadata().get("userId"))
                        && "org-b".equals(e.metadata().get("organizationId"))).count());
        Instant from = T0.plus(60, ChronoUnit.MINUTES);
        Instant to = T0.plus(119, ChronoUnit.MINUTES);
        assertThat(ok("/events?eventType=PaymentProcessed&from=" + from + "&to=" + to, ADMIN).path("total").asLong()).isEqualTo(6);
    }

    @Test
    void paymentsListGetAndStatisticsAreExact() throws Exception {
        assertThat(ok("/payments?status=failed&size=100", ADMIN).path("payments")).hasSize(12);
        long refunded = VIEWS.values().stream().filter(v -> v.get("status").equals("refunded")).count();
        assertThat(ok("/payments?status=refunded&currency=USD", ADMIN).path("total").asLong())
                .isEqualTo(VIEWS.values().stream().filter(v -> v.get("status").equals("refunded") && v.get("currency").equals("USD")).count());
        JsonNode one = ok("/payments/pay-7", ADMIN);
        assertThat(one.path("amount").asLong()).isEqualTo(8_000);
        assertThat(one.path("organizationId").asText()).isEqualTo("org-b");

        JsonNode stats = ok("/payments/stats", ADMIN);
        assertThat(stats.path("total").asLong()).isEqualTo(PAYMENTS);
        assertThat(stats.path("failure_rate").asDouble()).isEqualTo(12.0 / PAYMENTS);
        assertThat(stats.path("refund_rate").asDouble()).isEqualTo((double) refunded / PAYMENTS);
        Map<String, long[]> expected = new TreeMap<>();
        VIEWS.values().forEach(v -> expected.merge(v.get("status") + "/" + v.get("currency"), new long[] {1, ((Number) v.get("amount")).longValue()},
                (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]}));
        Map<String, long[]> actual = new TreeMap<>();
        stats.path("by_status").forEach(s -> s.path("by_currency").forEach(c -> actual.put(
                s.path("status").asText() + "/" + c.path("currency").asText(),
                new long[] {c.path("count").asLong(), c.path("sum").asLong()})));
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((k, v) -> assertThat(actual.get(k)).as(k).containsExactly(v));
    }

    @Test
    void historyIsInVersionOrderAndAsOfFoldsTheStateAtThatTime() throws Exception {
        JsonNode h = ok("/aggregates/pay-1/events", ADMIN);
        assertThat(h.path("events")).extracting(e -> e.path("version").asLong()).containsExactly(1L, 2L);
        assertThat(h.path("state").path("status").asText()).isEqualTo("refunded");
        Instant between = T0.plus(11, ChronoUnit.MINUTES); // after processing, before the refund
        JsonNode asOf = ok("/aggregates/pay-1/events?asOf=" + between, ADMIN);
        assertThat(asOf.path("events")).hasSize(1);
        assertThat(asOf.path("state").path("status").asText()).isEqualTo("processed");
        assertThat(asOf.path("state").path("refundAmount").asLong()).isZero();
        assertThat(get("/aggregates/pay-1/events?asOf=2020-01-01", ADMIN).status()).isEqualTo(404);
        assertThat(ok("/aggregates/pay-1/events?aggregateType=Payment", ADMIN).path("aggregateType").asText())
                .isEqualTo("Payment");
        Response unknown = get("/aggregates/pay-1/events?aggregateType=Order", ADMIN);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().path("parameter").asText()).isEqualTo("aggregateType");
        assertThat(unknown.body().path("allowed")).extracting(JsonNode::asText).containsExactly("Payment", "Workflow");
    }

    @Test
    void theStateAsOfTheLastEventIsThePaymentsReadModelDocument() throws Exception {
        for (String id : List.of("pay-0", "pay-1", "pay-2", "pay-5")) {
            JsonNode payment = ok("/payments/" + id, ADMIN);
            JsonNode h = ok("/aggregates/" + id + "/events?asOf=" + T0.plus(1, ChronoUnit.DAYS), ADMIN);
            assertThat(h.path("aggregateType").asText()).isEqualTo("Payment");
            JsonNode state = h.path("state");
            // position is per write: these documents were indexed without one, like their events.
            payment.fieldNames().forEachRemaining(f -> {
                if (!f.equals("position")) {
                    assertThat(state.path(f)).as("%s.%s", id, f).isEqualTo(payment.path(f));
                }
            });
            assertThat(state.has("position")).isFalse();
            assertThat(state.size()).as(id).isEqualTo(payment.size() - 1);
        }
    }

    // ---- tenants ---------------------------------------------------------------------------

    @Test
    void anOrganizationKeyNeverSeesAnotherOrganizationsData() throws Exception {
        List<EventDocument> mine = events("org-a");
        assertThat(ok("/events?size=1000", ORG_A).path("events")).hasSize(mine.size())
                .allSatisfy(e -> assertThat(e.path("metadata").path("organizationId").asText()).isEqualTo("org-a"));
        assertThat(ok("/events?organizationId=org-b", ORG_A).path("total").asLong()).isZero();
        JsonNode stats = ok("/events/stats?eventType=PaymentProcessed", ORG_A);
        assertThat(stats.path("total").asLong()).isEqualTo(20);
        assertThat(buckets(stats.path("by_organization"))).isEqualTo(Map.of("org-a", 20L));
        long trendTotal = 0;
        for (JsonNode b : ok("/events/trends?interval=day", ORG_A).path("buckets")) {
            trendTotal += b.path("count").asLong();
        }
        assertThat(trendTotal).isEqualTo(mine.size());
        assertThat(ok("/payments/stats", ORG_A).path("total").asLong()).isEqualTo(20);
        assertThat(ok("/payments?size=1000", ORG_A).path("payments"))
                .allSatisfy(p -> assertThat(p.path("organizationId").asText()).isEqualTo("org-a"));
        // pay-1 is org-b's: not found, not forbidden, so its existence does not leak.
        assertThat(get("/payments/pay-1", ORG_A).status()).isEqualTo(404);
        assertThat(get("/aggregates/pay-1/events", ORG_A).status()).isEqualTo(404);
        assertThat(ok("/payments/pay-0", ORG_A).path("paymentId").asText()).isEqualTo("pay-0");
        // A cursor cannot carry a tenant: a walk with org-a's key stays in org-a.
        String next = ok("/events?size=5", ORG_A).path("next").asText();
        assertThat(ok("/events?size=1000&cursor=" + next, ORG_A).path("events"))
                .allSatisfy(e -> assertThat(e.path("metadata").path("organizationId").asText()).isEqualTo("org-a"));
    }

    @Test
    void withoutAValidKeyEveryDataRouteIs401() throws Exception {
        for (String path : List.of("/events", "/events/stats?eventType=x", "/payments", "/payments/pay-0", "/aggregates/pay-0/events")) {
            Response none = get(path, null);
            assertThat(none.status()).as(path).isEqualTo(401);
            assertThat(none.contentType()).startsWith("application/problem+json");
            assertThat(get(path, "wrong-key-123").status()).as(path).isEqualTo(401);
        }
        assertThat(get("/health", null).body().path("elasticsearch").asText()).isEqualTo("reachable");
        Response ready = get("/health/ready", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body().path("status").asText()).isEqualTo("UP");
        assertThat(get("/health/live", null).status()).isEqualTo(200);
        assertThat(get("/openapi.json", null).body().path("openapi").asText()).startsWith("3.");
        Response metrics = get("/metrics", null);
        assertThat(metrics.raw().body()).contains("http_server_requests_seconds").contains("route=\"/events\"");
    }

    @Test
    void badParametersAre400ProblemsThatNameTheParameterAndWhatItAllows() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("/events?from=yesterday", "from");
        cases.put("/events?from=2026-03-11&to=2026-03-10", "from");
        cases.put("/events?size=100000", "size");
        cases.put("/events?colour=blue", "colour");
        cases.put("/events/trends?interval=fortnight", "interval");
        cases.put("/events/trends?interval=hour&from=2000-01-01&to=2026-01-01", "interval");
        cases.put("/events/trends?interval=day&timeZone=Mars/Olympus", "timeZone");
        cases.put("/events/stats", "eventType");
        cases.put("/payments?status=lost", "status");
        cases.put("/payments?currency=euro", "currency");
        cases.put("/events?cursor=not-a-cursor", "cursor");
        cases.put("/events?q=%C3%28", "q");
        for (var c : cases.entrySet()) {
            Response r = get(c.getKey(), ADMIN);
            assertThat(r.status()).as(c.getKey()).isEqualTo(400);
            assertThat(r.contentType()).as(c.getKey()).startsWith("application/problem+json");
            assertThat(r.body().path("parameter").asText()).as(c.getKey()).isIn(c.getValue(), "query");
            assertThat(r.body().path("detail").asText()).as(c.getKey()).isNotBlank();
        }
        assertThat(get("/events/trends?interval=fortnight", ADMIN).body().path("allowed"))
                .extracting(JsonNode::asText).containsExactly("hour", "day", "week", "month");
    }

    @Test
    void anUnreachableElasticsearchIs503WithRetryAfter() throws Exception {
        try (AnalyticsApi down = AnalyticsApi.start(new AnalyticsApiConfig(Map.of(
                AnalyticsApiConfig.HTTP_HOST, "127.0.0.1", AnalyticsApiConfig.HTTP_PORT, "0",
                AnalyticsApiConfig.ELASTICSEARCH_URL, "http://127.0.0.1:1", AnalyticsApiConfig.API_KEYS, ADMIN + ":*")))) {
            HttpResponse<String> r = OpenApiContract.send(HTTP, HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + down.port() + "/events")).header("X-API-Key", ADMIN).build());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
            HttpResponse<String> health = OpenApiContract.send(HTTP, HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + down.port() + "/health")).build());
            assertThat(health.statusCode()).isEqualTo(503);
            // Still live (it serves; restarting it would not bring Elasticsearch back), not ready.
            assertThat(healthOf(down, "live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = healthOf(down, "ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(ready.body()).path("reason").asText()).contains("Elasticsearch is unreachable");
        }
        // Elasticsearch answers, but no projector has created this prefix's indices yet.
        try (AnalyticsApi empty = AnalyticsApi.start(new AnalyticsApiConfig(Map.of(
                AnalyticsApiConfig.HTTP_HOST, "127.0.0.1", AnalyticsApiConfig.HTTP_PORT, "0",
                AnalyticsApiConfig.ELASTICSEARCH_URL, TestServers.get().elasticsearch(),
                AnalyticsApiConfig.INDEX_PREFIX, seeded.prefix + "none-", AnalyticsApiConfig.API_KEYS, ADMIN + ":*")))) {
            assertThat(healthOf(empty, "live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = healthOf(empty, "ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            JsonNode body = JSON.readTree(ready.body());
            assertThat(body.path("reason").asText()).contains(seeded.prefix + "none-").contains("missing");
            assertThat(body.path("elasticsearch").asText()).isEqualTo("reachable");
            assertThat(OpenApiContract.send(HTTP, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + empty.port()
                    + "/health")).build()).statusCode()).isEqualTo(503);
        }
    }

    private static HttpResponse<String> healthOf(AnalyticsApi api, String which) throws Exception {
        return OpenApiContract.send(HTTP, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/health/"
                + which)).build());
    }

    // ---- fuzz ------------------------------------------------------------------------------

    private static final String[] PATHS = {"/events", "/events/stats", "/events/trends", "/payments", "/payments/stats",
            "/payments/pay-1", "/aggregates/pay-1/events", "/payments/%FF%FE", "/aggregates/%C3%28/events", "/nope",
            "/payments/" + "x".repeat(300), "/events/../payments", "/%2e%2e/etc/passwd"};
    private static final String[] NAMES = {"aggregateType", "eventType", "q", "from", "to", "organizationId", "userId",
            "size", "cursor", "interval", "timeZone", "status", "currency", "asOf", "bogus", "", "size[]", "%00", "%C3%28"};
    private static final String[] VALUES = {"", "0", "-1", "1", "1000", "1001", "99999999999999999999", "2026-03-10",
            "2026-13-45", "yesterday", "2026-03-10T08:00:00Z", "hour", "month", "fortnight", "UTC", "Europe/Paris",
            "Mars/Olympus", "EUR", "eur", "processed", "' OR '1'='1", "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "%7B%22%24ne%22%3A1%7D", "*%3A*", "%5C", "%00", "%C3%28", "%FF%FE", "%E2%82", "a%20AND%20(", "~*?", "%22%22%22",
            "PaymentProcessed", "x".repeat(600), "-", "+", "%25", "null", "NaN", "1e9", "eyJwaXQiOiJ4IiwiYWZ0ZXIiOltdfQ"};

    @Test
    void fiveThousandRandomAndMalformedRequestsGetNo5xxAndEvery4xxIsAProblem() throws Exception {
        Random random = new Random(20261129);
        Map<Integer, Integer> statuses = new TreeMap<>();
        int sent = 0;
        while (sent < 5_000) {
            String path = PATHS[random.nextInt(PATHS.length)];
            StringBuilder url = new StringBuilder(path);
            int n = random.nextInt(5);
            for (int k = 0; k < n; k++) {
                url.append(k == 0 ? '?' : '&').append(NAMES[random.nextInt(NAMES.length)]);
                if (random.nextInt(10) > 0) {
                    url.append('=').append(VALUES[random.nextInt(VALUES.length)]);
                }
            }
            String key = switch (random.nextInt(10)) {
                case 0 -> null;
                case 1 -> "wrong-key-123";
                case 2, 3, 4 -> ORG_A;
                default -> ADMIN;
            };
            Response r;
            try {
                // Every answer on a documented route is checked against openapi.json; the made-up
                // paths (/nope, /events/../payments, ...) only have to answer problems.
                r = OpenApiContract.get().documents("GET", path) ? get(url.toString(), key)
                        : getUndocumented(url.toString(), key);
            } catch (IllegalArgumentException e) {
                continue; // not a URI the client can send
            }
            sent++;
            statuses.merge(r.status(), 1, Integer::sum);
            assertThat(r.status()).as("%s -> %s", url, r.raw().body()).isLessThan(500);
            if (r.status() >= 400) {
                assertThat(r.contentType()).as("%s -> %s", url, r.raw().body()).startsWith("application/problem+json");
                assertThat(r.raw().body()).doesNotContain("\tat ").doesNotContain("Exception");
            }
        }
        assertThat(statuses.keySet()).contains(200, 400, 401, 404);
        assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(5_000);
        System.out.println("fuzz statuses: " + statuses);
    }
}
