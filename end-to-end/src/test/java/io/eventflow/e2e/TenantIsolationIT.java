package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EnvelopeRules;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.EventIds;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.query.AnalyticsApi;
import io.eventflow.query.AnalyticsApiConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tenant isolation on the read side, against the real Elasticsearch: an aggregate's history shows a
 * tenant only its own events, filtered inside the query and paged with a small page size, and its
 * state is folded over exactly those; asOf cuts inside the query too; ids that break
 * {@link EnvelopeRules} are 400s naming the parameter. (Refusing mis-keyed and cross-organization
 * commands is the command side's, tested there.)
 */
class TenantIsolationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-04-01T09:00:00Z");
    /** Small, so every history below takes several searches, with a boundary inside a version. */
    private static final int PAGE_SIZE = 3;
    private static final String ADMIN = "tenant-it-admin";
    private static final String ORG_A = "tenant-it-org-a";
    private static final String ORG_B = "tenant-it-org-b";
    /** Every punctuation character an id may hold: the path must carry it to Elasticsearch intact. */
    private static final String PUNCTUATED = "Az09-._~!$&'()*+,;=:@Zz";

    private static final String ID = UUID.randomUUID().toString().substring(0, 8);
    private static final String PREFIX = "it-" + ID + "-";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static ElasticsearchClient es;
    private static AnalyticsApi api;

    record Response(int status, JsonNode body, String raw) {
    }

    /**
     * legacy-1: 7 events alternating organizations (odd versions org-a, even org-b): a payment of
     * 6,000 processed (org-a) then six refunds of 1,000, at T0 + version minutes. Written before
     * commands were checked against the payment's organization, so its history mixes tenants.
     * shared-1: a Payment and an Order share the id, versions 1..3 each, all org-a.
     */
    @BeforeAll
    static void seed() throws Exception {
        List<EventDocument> events = new ArrayList<>();
        for (int v = 1; v <= 7; v++) {
            String org = v % 2 == 1 ? "org-a" : "org-b";
            Map<String, Object> data = v == 1
                    ? Map.of("paymentId", "legacy-1", "amount", 6_000L, "currency", "EUR", "organizationId", "org-a",
                            "userId", "u-1")
                    : Map.of("paymentId", "legacy-1", "refundAmount", 1_000L);
            // Legacy ids were derived from the command id: random here.
            events.add(event(UUID.randomUUID().toString(), "legacy-1", "Payment",
                    v == 1 ? "PaymentProcessed" : "PaymentRefunded", v, org, data));
        }
        for (int v = 1; v <= 3; v++) {
            events.add(event(EventIds.of("Payment", "shared-1", v), "shared-1", "Payment", v == 1 ? "PaymentProcessed"
                    : "PaymentRefunded", v, "org-a", v == 1 ? Map.of("paymentId", "shared-1", "amount", 500L,
                            "currency", "EUR", "organizationId", "org-a", "userId", "u-1")
                    : Map.of("paymentId", "shared-1", "refundAmount", 100L)));
            events.add(event(EventIds.of("Order", "shared-1", v), "shared-1", "Order", "OrderPlaced", v, "org-a",
                    Map.of("lines", v)));
        }
        for (int v = 1; v <= 2; v++) {
            events.add(event(EventIds.of("Order", "order-1", v), "order-1", "Order", "OrderPlaced", v, "org-a",
                    Map.of("lines", v)));
        }
        // A payment whose version 2 is missing: a whole history with a gap cannot be folded.
        for (int v : new int[] {1, 3}) {
            events.add(event(EventIds.of("Payment", "gap-1", v), "gap-1", "Payment", v == 1 ? "PaymentProcessed"
                    : "PaymentRefunded", v, "org-a", v == 1 ? Map.of("paymentId", "gap-1", "amount", 500L,
                            "currency", "EUR", "organizationId", "org-a", "userId", "u-1")
                    : Map.of("paymentId", "gap-1", "refundAmount", 100L)));
        }
        events.add(event(EventIds.of("Payment", PUNCTUATED, 1), PUNCTUATED, "Payment", "PaymentProcessed", 1, "org-b",
                Map.of("paymentId", PUNCTUATED, "amount", 42L, "currency", "EUR", "organizationId", "org-b",
                        "userId", "u-1")));

        TestServers servers = TestServers.get();
        es = ElasticsearchClients.connect(servers.elasticsearch());
        EventStoreIndices indices = io.eventflow.aggregate.AggregateIndices.of(PREFIX, io.eventflow.aggregate.AggregateTypes.of(io.eventflow.payments.Payments.TYPE, io.eventflow.workflows.Workflows.TYPE));
        indices.ensure(es, 0);
        BulkRequest.Builder bulk = new BulkRequest.Builder().refresh(Refresh.True);
        for (EventDocument d : events) {
            bulk.operations(o -> o.create(c -> c.index(indices.eventsAlias()).id(d.eventId()).routing(d.aggregateId()).document(d)));
        }
        assertThat(es.bulk(bulk.build()).errors()).isFalse();
        api = AnalyticsApi.start(new AnalyticsApiConfig(Map.of(
                AnalyticsApiConfig.HTTP_HOST, "127.0.0.1", AnalyticsApiConfig.HTTP_PORT, "0",
                AnalyticsApiConfig.ELASTICSEARCH_URL, servers.elasticsearch(), AnalyticsApiConfig.INDEX_PREFIX, PREFIX,
                AnalyticsApiConfig.HISTORY_PAGE_SIZE, Integer.toString(PAGE_SIZE),
                AnalyticsApiConfig.CACHE_TTL_MS, "0",
                AnalyticsApiConfig.API_KEYS, ADMIN + ":*," + ORG_A + ":org-a," + ORG_B + ":org-b")));
    }

    @AfterAll
    static void cleanUp() {
        if (api != null) {
            api.close();
        }
        if (es != null) {
            TestCleanup.deleteIndices(es, PREFIX);
            ElasticsearchClients.close(es);
        }
    }

    private static EventDocument event(String eventId, String aggregateId, String type, String eventType, long version,
            String org, Map<String, Object> data) {
        return new EventDocument(eventId, aggregateId, type, eventType, version, T0.plus(version, ChronoUnit.MINUTES),
                "corr-" + aggregateId, "cmd-" + aggregateId + "-" + version, data,
                Map.of("organizationId", org, "userId", "u-1", "extra", Map.of()));
    }

    /** GET on the analytics API; the answer is checked against openapi.json. */
    private static Response get(String pathAndQuery, String key) throws Exception {
        HttpResponse<String> r = OpenApiContract.send(HTTP, HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + api.port() + pathAndQuery)).header("X-API-Key", key).GET().build());
        return new Response(r.statusCode(), JSON.readTree(r.body()), r.body());
    }

    private static JsonNode ok(String pathAndQuery, String key) throws Exception {
        Response r = get(pathAndQuery, key);
        assertThat(r.status()).as("%s -> %s", pathAndQuery, r.raw()).isEqualTo(200);
        return r.body();
    }

    private static List<Long> versions(JsonNode history) {
        List<Long> out = new ArrayList<>();
        history.path("events").forEach(e -> out.add(e.path("version").asLong()));
        return out;
    }

    private static List<String> organizations(JsonNode history) {
        List<String> out = new ArrayList<>();
        history.path("events").forEach(e -> out.add(e.path("metadata").path("organizationId").asText()));
        return out;
    }

    @Test
    void eachTenantSeesExactlyItsOwnEventsOfAMixedHistoryAndItsStateFoldsOverThem() throws Exception {
        JsonNode a = ok("/aggregates/legacy-1/events", ORG_A);
        assertThat(versions(a)).containsExactly(1L, 3L, 5L, 7L);
        assertThat(organizations(a)).containsOnly("org-a");
        assertThat(a.path("version").asLong()).isEqualTo(7);
        // org-a's own refunds only: 3,000 of 6,000, so still processed.
        assertThat(a.path("state").path("status").asText()).isEqualTo("processed");
        assertThat(a.path("state").path("refundAmount").asLong()).isEqualTo(3_000);

        JsonNode b = ok("/aggregates/legacy-1/events", ORG_B);
        assertThat(versions(b)).containsExactly(2L, 4L, 6L);
        assertThat(organizations(b)).containsOnly("org-b");
        assertThat(b.path("version").asLong()).isEqualTo(6);
        assertThat(b.path("state").path("amount").isNull()).as("org-a's PaymentProcessed is not folded for org-b")
                .isTrue();
        assertThat(b.path("state").path("refundAmount").asLong()).isEqualTo(3_000);

        JsonNode all = ok("/aggregates/legacy-1/events", ADMIN);
        assertThat(versions(all)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(all.path("state").path("status").asText()).isEqualTo("refunded");
        assertThat(all.path("state").path("refundAmount").asLong()).isEqualTo(6_000);
    }

    @Test
    void asOfCutsInsideTheQueryForEachTenant() throws Exception {
        String asOf = T0.plus(4, ChronoUnit.MINUTES).toString(); // version 4's timestamp, inclusive
        assertThat(versions(ok("/aggregates/legacy-1/events?asOf=" + asOf, ORG_A))).containsExactly(1L, 3L);
        assertThat(versions(ok("/aggregates/legacy-1/events?asOf=" + asOf, ORG_B))).containsExactly(2L, 4L);
        JsonNode all = ok("/aggregates/legacy-1/events?asOf=" + asOf, ADMIN);
        assertThat(versions(all)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(all.path("state").path("refundAmount").asLong()).isEqualTo(3_000);
        // Before org-b's first event: org-b sees nothing (404) while org-a sees version 1.
        String early = T0.plus(90, ChronoUnit.SECONDS).toString();
        assertThat(get("/aggregates/legacy-1/events?asOf=" + early, ORG_B).status()).isEqualTo(404);
        assertThat(versions(ok("/aggregates/legacy-1/events?asOf=" + early, ORG_A))).containsExactly(1L);
        assertThat(get("/aggregates/legacy-1/events?asOf=2026-01-01", ADMIN).status()).isEqualTo(404);
    }

    @Test
    void aTenantThatSeesNoEventGets404() throws Exception {
        Response r = get("/aggregates/shared-1/events", ORG_B);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.raw()).doesNotContain("org-a").doesNotContain("OrderPlaced");
        assertThat(get("/aggregates/no-such-aggregate/events", ADMIN).status()).isEqualTo(404);
    }

    @Test
    void pagingIsCompleteWhenAPageBoundaryFallsInsideAVersion() throws Exception {
        // Six documents, two per version: with pages of 3 a boundary falls between the two version-2 ones.
        // A Payment and an Order share the id: without aggregateType the history is ambiguous, and
        // the 400 names both types, so both were read across the boundary.
        Response ambiguous = get("/aggregates/shared-1/events", ORG_A);
        assertThat(ambiguous.status()).as(ambiguous.raw()).isEqualTo(400);
        assertThat(ambiguous.body().path("detail").asText()).startsWith("ambiguous: pass aggregateType")
                .contains("Payment").contains("Order");
        assertThat(ambiguous.body().path("parameter").asText()).isEqualTo("aggregateType");
        JsonNode h = ok("/aggregates/shared-1/events?aggregateType=Payment", ORG_A);
        assertThat(h.path("aggregateType").asText()).isEqualTo("Payment");
        assertThat(versions(h)).containsExactly(1L, 2L, 3L);
        List<String> ids = new ArrayList<>();
        h.path("events").forEach(e -> ids.add(e.path("eventId").asText()));
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(h.path("state").path("refundAmount").asLong()).isEqualTo(200);
        // A type the API is not wired with is no value for aggregateType: the 400 lists the ones it serves.
        Response unknown = get("/aggregates/shared-1/events?aggregateType=Order", ORG_A);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().path("allowed")).extracting(JsonNode::asText).contains("Payment")
                .doesNotContain("Order");
    }

    @Test
    void eventsOfATypeTheApiIsNotWiredWithAreListedWithoutState() throws Exception {
        JsonNode h = ok("/aggregates/order-1/events", ORG_A);
        assertThat(h.path("aggregateType").asText()).isEqualTo("Order");
        assertThat(versions(h)).containsExactly(1L, 2L);
        assertThat(h.path("state").isNull()).isTrue();
        assertThat(h.has("stateError")).isFalse();
    }

    @Test
    void aWholeHistoryWithAGapIsListedWithAStateErrorInsteadOfAState() throws Exception {
        JsonNode h = ok("/aggregates/gap-1/events", ADMIN);
        assertThat(versions(h)).containsExactly(1L, 3L);
        assertThat(h.path("state").isNull()).isTrue();
        assertThat(h.path("stateError").asText()).contains("gap");
    }

    @Test
    void anIdWithEveryAllowedCharacterTravelsThePathIntact() throws Exception {
        JsonNode h = ok("/aggregates/" + PUNCTUATED + "/events", ORG_B);
        assertThat(h.path("aggregateId").asText()).isEqualTo(PUNCTUATED);
        assertThat(versions(h)).containsExactly(1L);
        assertThat(get("/aggregates/" + PUNCTUATED + "/events", ORG_A).status()).isEqualTo(404);
    }

    @Test
    void idsThatBreakTheEnvelopeRulesAre400sNamingTheParameter() throws Exception {
        Map<String, String> cases = Map.of(
                "/aggregates/legacy%201/events", "aggregateId",
                "/payments/" + "p".repeat(EnvelopeRules.MAX_ID_BYTES + 1), "paymentId",
                "/events?organizationId=org%2Fa", "organizationId",
                "/events?userId=", "userId",
                "/payments?organizationId=%C3%A9", "organizationId");
        for (var c : cases.entrySet()) {
            for (String key : List.of(ADMIN, ORG_A)) {
                Response r = get(c.getKey(), key);
                assertThat(r.status()).as("%s -> %s", c.getKey(), r.raw()).isEqualTo(400);
                assertThat(r.body().path("parameter").asText()).as(c.getKey()).isEqualTo(c.getValue());
                assertThat(r.body().path("detail").asText()).as(c.getKey()).startsWith(c.getValue());
            }
        }
    }
}
