package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.payments.PaymentState;
import io.eventflow.payments.PaymentState.Status;
import io.eventflow.payments.Payments;
import io.eventflow.query.AnalyticsApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Money over time on the payments read model: {@code /payments/trends} (processed, refunded and net
 * per bucket and currency, in a time zone) and the money and failure reasons of
 * {@code /payments/stats}, exact on a known dataset, per tenant.
 */
class PaymentMoneyIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "money-admin-key";
    private static final String ORG_A = "money-org-a-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String RANGE = "from=2026-03-10T00:00:00Z&to=2026-03-11T23:59:59Z";
    private static SeededApi seeded;
    private static AnalyticsApi api;

    private static PaymentState payment(String id, Status status, long amount, String currency, String org,
            String processedAt, long refunded, String refundedAt, String error) {
        Instant processed = Instant.parse(processedAt);
        Instant refundTime = refundedAt == null ? null : Instant.parse(refundedAt);
        Instant failed = status == Status.FAILED ? processed.plusSeconds(60) : null;
        long version = 1 + (refunded > 0 ? 1 : 0) + (failed != null ? 1 : 0);
        return new PaymentState(id, status, amount, currency, org, "u-1", refunded, refunded > 0 ? 1 : 0, error,
                processed, failed, refundTime, refundTime != null ? refundTime : failed != null ? failed : processed,
                version);
    }

    @BeforeAll
    static void indexDataset() throws Exception {
        List<PaymentState> payments = List.of(
                payment("pa-1", Status.PROCESSED, 10_000, "EUR", "org-a", "2026-03-10T09:00:00Z", 3_000,
                        "2026-03-11T10:00:00Z", null),
                // 23:30 UTC on the 10th is 00:30 on the 11th in Paris (UTC+1 in March).
                payment("pa-2", Status.PROCESSED, 5_000, "EUR", "org-a", "2026-03-10T23:30:00Z", 0, null, null),
                payment("pa-3", Status.REFUNDED, 7_000, "USD", "org-a", "2026-03-11T08:00:00Z", 7_000,
                        "2026-03-11T09:00:00Z", null),
                payment("pa-4", Status.FAILED, 9_999, "EUR", "org-a", "2026-03-10T12:00:00Z", 0, null, "card declined"),
                payment("pa-5", Status.FAILED, 1_000, "EUR", "org-a", "2026-03-10T13:00:00Z", 0, null, "insufficient funds"),
                payment("pa-6", Status.FAILED, 2_000, "EUR", "org-a", "2026-03-11T14:00:00Z", 0, null, "card declined"),
                payment("pb-1", Status.PROCESSED, 777_777, "EUR", "org-b", "2026-03-10T10:00:00Z", 111_111,
                        "2026-03-10T11:00:00Z", null),
                payment("pb-2", Status.FAILED, 5_555, "GBP", "org-b", "2026-03-10T10:30:00Z", 0, null, "zebra-reason-b"));
        seeded = new SeededApi();
        for (PaymentState p : payments) {
            Map<String, Object> doc = new LinkedHashMap<>(Payments.TYPE.readModel().toDocument(p));
            doc.put("position", null);
            seeded.payment(p.paymentId(), doc);
        }
        api = seeded.start(ADMIN + ":*," + ORG_A + ":org-a", Map.of());
    }

    @AfterAll
    static void stop() {
        if (seeded != null) {
            seeded.close();
        }
    }

    private static JsonNode ok(String pathAndQuery, String key) throws Exception {
        HttpResponse<String> r = OpenApiContract.send(HTTP, HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + api.port() + pathAndQuery)).header("X-API-Key", key).GET().build());
        assertThat(r.statusCode()).as("%s -> %s", pathAndQuery, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** Bucket key -> currency -> [processedCount, processedAmount, refundedCount, refundedAmount, netAmount]; empty buckets left out. */
    private static Map<String, Map<String, List<Long>>> cells(JsonNode trends) {
        Map<String, Map<String, List<Long>>> out = new TreeMap<>();
        for (JsonNode b : trends.path("buckets")) {
            for (JsonNode c : b.path("currencies")) {
                out.computeIfAbsent(b.path("key").asText(), k -> new TreeMap<>()).put(c.path("currency").asText(),
                        List.of(c.path("processedCount").asLong(), c.path("processedAmount").asLong(),
                                c.path("refundedCount").asLong(), c.path("refundedAmount").asLong(),
                                c.path("netAmount").asLong()));
            }
        }
        return out;
    }

    @Test
    void trendsPerDayInUtcForTheAdmin() throws Exception {
        JsonNode t = ok("/payments/trends?interval=day&" + RANGE, ADMIN);
        assertThat(t.path("interval").asText()).isEqualTo("day");
        assertThat(t.path("timeZone").asText()).isEqualTo("Z"); // UTC, as /events/trends says it
        assertThat(t.path("buckets")).hasSize(2);
        assertThat(cells(t)).isEqualTo(Map.of(
                "2026-03-10T00:00:00.000Z", Map.of("EUR", List.of(3L, 792_777L, 1L, 111_111L, 681_666L)),
                "2026-03-11T00:00:00.000Z", Map.of("EUR", List.of(0L, 0L, 1L, 3_000L, -3_000L),
                        "USD", List.of(1L, 7_000L, 1L, 7_000L, 0L))));
    }

    @Test
    void aTenantSeesOnlyItsOwnMoneyAndBucketsFollowTheTimeZone() throws Exception {
        assertThat(cells(ok("/payments/trends?interval=day&" + RANGE, ORG_A))).isEqualTo(Map.of(
                "2026-03-10T00:00:00.000Z", Map.of("EUR", List.of(2L, 15_000L, 0L, 0L, 15_000L)),
                "2026-03-11T00:00:00.000Z", Map.of("EUR", List.of(0L, 0L, 1L, 3_000L, -3_000L),
                        "USD", List.of(1L, 7_000L, 1L, 7_000L, 0L))));
        JsonNode paris = ok("/payments/trends?interval=day&timeZone=Europe/Paris&" + RANGE, ORG_A);
        assertThat(paris.path("timeZone").asText()).isEqualTo("Europe/Paris");
        assertThat(cells(paris)).isEqualTo(Map.of(
                "2026-03-10T00:00:00.000+01:00", Map.of("EUR", List.of(1L, 10_000L, 0L, 0L, 10_000L)),
                "2026-03-11T00:00:00.000+01:00", Map.of("EUR", List.of(1L, 5_000L, 1L, 3_000L, 2_000L),
                        "USD", List.of(1L, 7_000L, 1L, 7_000L, 0L))));
        JsonNode usd = ok("/payments/trends?interval=day&currency=USD&" + RANGE, ADMIN);
        assertThat(usd.path("currency").asText()).isEqualTo("USD");
        assertThat(cells(usd)).isEqualTo(Map.of("2026-03-11T00:00:00.000Z", Map.of("USD",
                List.of(1L, 7_000L, 1L, 7_000L, 0L))));
    }

    @Test
    void statsAddMoneyPerCurrencyAndFailureReasons() throws Exception {
        JsonNode a = ok("/payments/stats", ORG_A);
        assertThat(a.path("money_by_currency").toString()).isEqualTo(
                "[{\"currency\":\"EUR\",\"payments\":2,\"processed\":15000,\"refunded\":3000,\"net\":12000},"
                        + "{\"currency\":\"USD\",\"payments\":1,\"processed\":7000,\"refunded\":7000,\"net\":0}]");
        assertThat(a.path("failure_reasons").toString()).isEqualTo(
                "[{\"reason\":\"card declined\",\"count\":2},{\"reason\":\"insufficient funds\",\"count\":1}]");
        assertThat(a.toString()).doesNotContain("zebra-reason-b", "777777", "GBP");
        JsonNode all = ok("/payments/stats", ADMIN);
        assertThat(all.path("failure_reasons").toString()).contains("{\"reason\":\"zebra-reason-b\",\"count\":1}");
        assertThat(all.path("money_by_currency").get(0).path("net").asLong()).isEqualTo(12_000 + 777_777 - 111_111);
    }
}
