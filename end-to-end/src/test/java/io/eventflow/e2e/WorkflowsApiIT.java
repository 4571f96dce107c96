package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.aggregate.AggregateIndices;
import io.eventflow.aggregate.AggregateTypes;
import io.eventflow.aggregate.EventData;
import io.eventflow.aggregate.Recorded;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.EventIds;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.payments.Payments;
import io.eventflow.query.AnalyticsApi;
import io.eventflow.query.AnalyticsApiConfig;
import io.eventflow.workflows.WorkflowEvent;
import io.eventflow.workflows.WorkflowEvent.StepCompleted;
import io.eventflow.workflows.WorkflowEvent.StepFailed;
import io.eventflow.workflows.WorkflowEvent.StepStarted;
import io.eventflow.workflows.WorkflowEvent.WorkflowCancelled;
import io.eventflow.workflows.WorkflowEvent.WorkflowCompleted;
import io.eventflow.workflows.WorkflowEvent.WorkflowFailed;
import io.eventflow.workflows.WorkflowEvent.WorkflowStarted;
import io.eventflow.workflows.WorkflowState;
import io.eventflow.workflows.Workflows;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The workflow routes against the real Elasticsearch, on a known dataset indexed straight into its
 * own indices: read-model documents folded from their events with the workflows module's one fold,
 * and the events themselves. Two organizations; list, filters, paging, by id, stats computed here
 * independently, tenant isolation, and history and asOf through the generic aggregate route.
 */
class WorkflowsApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-05-04T08:00:00Z");
    private static final int WORKFLOWS = 24;
    private static final String ADMIN = "wf-it-admin";
    private static final String ORG_A = "wf-it-org-a";
    private static final String ORG_B = "wf-it-org-b";
    /** Only org-a has a workflow of this name. */
    private static final String SECRET = "org-a-secret-merger";

    private static final String PREFIX = "it-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** By id: the events and the read-model document folded from them. */
    private static final Map<String, List<EventDocument>> EVENTS = new LinkedHashMap<>();
    private static final Map<String, Map<String, Object>> DOCS = new LinkedHashMap<>();
    private static ElasticsearchClient es;
    private static AnalyticsApi api;

    record Response(int status, JsonNode body, String raw) {
    }

    /**
     * Workflow i: org-a for even i, org-b for odd; user u-(i%3); name onboarding (i%3==0) or billing
     * (the last of org-a's is SECRET); started at T0 + 10 min * i. Step fetch completes in 100+10i ms;
     * then charge starts: i%7==3 leaves it running; else i%4==1 fails it (1000+37i ms) and the
     * workflow; else it completes, and i%5==0 starts notify and cancels, the others complete.
     */
    @BeforeAll
    static void seed() throws Exception {
        for (int i = 0; i < WORKFLOWS; i++) {
            String id = "wf-" + i;
            String org = i % 2 == 0 ? "org-a" : "org-b";
            String name = i == WORKFLOWS - 2 ? SECRET : i % 3 == 0 ? "onboarding" : "billing";
            List<WorkflowEvent> events = new ArrayList<>();
            events.add(new WorkflowStarted(id, org, "u-" + (i % 3), name));
            events.add(new StepStarted(id, "fetch"));
            events.add(new StepCompleted(id, "fetch", 100 + 10L * i));
            events.add(new StepStarted(id, "charge"));
            if (i % 7 != 3) {
                if (i % 4 == 1) {
                    events.add(new StepFailed(id, "charge", 1_000 + 37L * i, "card declined"));
                    events.add(new WorkflowFailed(id, "charge failed"));
                } else {
                    events.add(new StepCompleted(id, "charge", 1_000 + 37L * i));
                    if (i % 5 == 0) {
                        events.add(new StepStarted(id, "notify"));
                        events.add(new WorkflowCancelled(id, "user cancelled"));
                    } else {
                        events.add(new WorkflowCompleted(id));
                    }
                }
            }
            Instant started = T0.plus(10L * i, ChronoUnit.MINUTES);
            List<EventDocument> docs = new ArrayList<>();
            WorkflowState state = Workflows.TYPE.domain().initial(id);
            for (int v = 1; v <= events.size(); v++) {
                WorkflowEvent e = events.get(v - 1);
                Instant at = started.plusSeconds(v - 1);
                state = Workflows.TYPE.domain().evolve(state, new Recorded<>(id, v, at, e));
                docs.add(new EventDocument(EventIds.of("Workflow", id, v), id, "Workflow", e.eventType(), v, at,
                        "corr-" + id, "cmd-" + id + "-" + v,
                        EventData.toMap((GenericRecord) Workflows.TYPE.avro().event(e)),
                        Map.of("organizationId", org, "userId", "u-" + (i % 3), "extra", Map.of())));
            }
            EVENTS.put(id, docs);
            DOCS.put(id, Workflows.TYPE.readModel().toDocument(state));
        }
        TestServers servers = TestServers.get();
        es = ElasticsearchClients.connect(servers.elasticsearch());
        EventStoreIndices indices = AggregateIndices.of(PREFIX, AggregateTypes.of(Payments.TYPE, Workflows.TYPE));
        indices.ensure(es, 0);
        BulkRequest.Builder bulk = new BulkRequest.Builder().refresh(Refresh.True);
        EVENTS.values().forEach(list -> list.forEach(d -> bulk.operations(o -> o.create(c -> c
                .index(indices.eventsAlias()).id(d.eventId()).routing(d.aggregateId()).document(d)))));
        DOCS.forEach((id, doc) -> bulk.operations(o -> o.index(c -> c.index(indices.alias("workflows")).id(id)
                .document(doc))));
        assertThat(es.bulk(bulk.build()).errors()).isFalse();
        api = AnalyticsApi.start(new AnalyticsApiConfig(Map.of(
                AnalyticsApiConfig.HTTP_HOST, "127.0.0.1", AnalyticsApiConfig.HTTP_PORT, "0",
                AnalyticsApiConfig.ELASTICSEARCH_URL, servers.elasticsearch(), AnalyticsApiConfig.INDEX_PREFIX, PREFIX,
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

    /** As a JSON answer parses: through text, so numbers get the node types a parse gives. */
    private static JsonNode tree(Object value) throws Exception {
        return JSON.readTree(JSON.writeValueAsString(value));
    }

    private static List<Map<String, Object>> docs(String org, Predicate<Map<String, Object>> filter) {
        return DOCS.values().stream().filter(d -> org == null || org.equals(d.get("organizationId"))).filter(filter)
                .toList();
    }

    private static List<String> ids(JsonNode workflows) {
        List<String> out = new ArrayList<>();
        workflows.forEach(w -> out.add(w.path("workflowId").asText()));
        return out;
    }

    @Test
    void aCursorWalkSeesEachOfTheTenantsWorkflowsOnceNewestStartedFirst() throws Exception {
        List<String> expected = docs("org-a", d -> true).stream()
                .sorted(Comparator.comparing((Map<String, Object> d) -> (String) d.get("startedAt")).reversed())
                .map(d -> (String) d.get("workflowId")).toList();
        List<String> seen = new ArrayList<>();
        JsonNode page = ok("/workflows?size=5", ORG_A);
        assertThat(page.path("total").asLong()).isEqualTo(expected.size());
        seen.addAll(ids(page.path("workflows")));
        while (page.hasNonNull("next")) {
            page = ok("/workflows?size=5&cursor=" + page.path("next").asText(), ORG_A);
            seen.addAll(ids(page.path("workflows")));
        }
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void filtersAreExact() throws Exception {
        for (String status : List.of("running", "completed", "failed", "cancelled")) {
            assertThat(ok("/workflows?size=100&status=" + status, ADMIN).path("total").asLong()).as(status)
                    .isEqualTo(docs(null, d -> status.equals(d.get("status"))).size());
        }
        assertThat(ids(ok("/workflows?size=100&userId=u-1&name=billing", ADMIN).path("workflows")))
                .containsExactlyInAnyOrderElementsOf(docs(null, d -> "u-1".equals(d.get("userId"))
                        && "billing".equals(d.get("name"))).stream().map(d -> (String) d.get("workflowId")).toList());
        Instant from = T0.plus(30, ChronoUnit.MINUTES);
        Instant to = T0.plus(90, ChronoUnit.MINUTES);
        assertThat(ids(ok("/workflows?size=100&from=" + from + "&to=" + to, ADMIN).path("workflows")))
                .containsExactly("wf-9", "wf-8", "wf-7", "wf-6", "wf-5", "wf-4", "wf-3");
        Response bad = get("/workflows?status=paused", ADMIN);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("parameter").asText()).isEqualTo("status");
    }

    @Test
    void oneWorkflowIsItsReadModelDocument() throws Exception {
        for (String id : List.of("wf-0", "wf-1", "wf-3", "wf-10")) {
            String key = Integer.parseInt(id.substring(3)) % 2 == 0 ? ORG_A : ORG_B;
            assertThat(ok("/workflows/" + id, key)).isEqualTo(tree(DOCS.get(id)));
            assertThat(ok("/workflows/" + id, ADMIN)).isEqualTo(tree(DOCS.get(id)));
        }
        Response missing = get("/workflows/wf-404", ADMIN);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().path("status").asInt()).isEqualTo(404);
    }

    @Test
    void statsAreTheNumbersComputedFromTheDataset() throws Exception {
        checkStats(ok("/workflows/stats", ADMIN), docs(null, d -> true));
        checkStats(ok("/workflows/stats", ORG_A), docs("org-a", d -> true));
        checkStats(ok("/workflows/stats", ORG_B), docs("org-b", d -> true));
        Instant from = T0.plus(30, ChronoUnit.MINUTES);
        checkStats(ok("/workflows/stats?from=" + from, ORG_B),
                docs("org-b", d -> Instant.parse((String) d.get("startedAt")).compareTo(from) >= 0));
    }

    @SuppressWarnings("unchecked")
    private static void checkStats(JsonNode stats, List<Map<String, Object>> docs) {
        assertThat(stats.path("total").asLong()).isEqualTo(docs.size());
        Map<String, Long> byStatus = new TreeMap<>();
        docs.forEach(d -> byStatus.merge((String) d.get("status"), 1L, Long::sum));
        Map<String, Long> actualStatus = new TreeMap<>();
        stats.path("by_status").forEach(b -> actualStatus.put(b.path("status").asText(), b.path("count").asLong()));
        assertThat(actualStatus).isEqualTo(byStatus);

        Map<String, long[]> counts = new TreeMap<>();
        Map<String, List<Long>> durations = new TreeMap<>();
        for (Map<String, Object> d : docs) {
            for (Map<String, Object> step : (List<Map<String, Object>>) d.get("steps")) {
                String name = (String) step.get("name");
                long[] c = counts.computeIfAbsent(name, k -> new long[2]);
                c[0]++;
                if ("failed".equals(step.get("status"))) {
                    c[1]++;
                }
                List<Long> ds = durations.computeIfAbsent(name, k -> new ArrayList<>());
                if (step.get("durationMs") != null) {
                    ds.add(((Number) step.get("durationMs")).longValue());
                }
            }
        }
        Map<String, JsonNode> actual = new TreeMap<>();
        stats.path("steps").forEach(s -> actual.put(s.path("name").asText(), s));
        assertThat(actual.keySet()).isEqualTo(counts.keySet());
        counts.forEach((name, c) -> {
            JsonNode s = actual.get(name);
            assertThat(s.path("count").asLong()).as(name).isEqualTo(c[0]);
            assertThat(s.path("failed").asLong()).as(name).isEqualTo(c[1]);
            assertThat(s.path("failure_rate").asDouble()).as(name).isEqualTo((double) c[1] / c[0]);
            List<Long> sorted = durations.get(name).stream().sorted().toList();
            for (int p : new int[] {50, 95, 99}) {
                JsonNode value = s.path("durationMs").path("p" + p);
                if (sorted.isEmpty()) {
                    assertThat(value.isNull()).as("%s p%d", name, p).isTrue();
                    continue;
                }
                // Elasticsearch estimates percentiles: within one rank of the exact order statistic.
                double rank = p / 100.0 * (sorted.size() - 1);
                long low = sorted.get(Math.max(0, (int) Math.floor(rank) - 1));
                long high = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(rank) + 1));
                assertThat(value.asDouble()).as("%s p%d of %s", name, p, sorted).isBetween((double) low, (double) high);
            }
        });
    }

    @Test
    void anotherOrganizationNeverSeesOrgAsWorkflows() throws Exception {
        String secret = "wf-" + (WORKFLOWS - 2);
        assertThat(ok("/workflows/" + secret, ORG_A).path("name").asText()).isEqualTo(SECRET);
        Response byId = get("/workflows/" + secret, ORG_B);
        assertThat(byId.status()).isEqualTo(404);
        assertThat(byId.raw()).doesNotContain(SECRET).doesNotContain("org-a");
        assertThat(ok("/workflows?name=" + SECRET, ORG_B).path("total").asLong()).isZero();
        assertThat(ok("/workflows?organizationId=org-a", ORG_B).path("total").asLong()).isZero();
        assertThat(ok("/workflows?size=100", ORG_B).path("workflows"))
                .allSatisfy(w -> assertThat(w.path("organizationId").asText()).isEqualTo("org-b"));
        assertThat(ok("/workflows/stats", ORG_B).path("total").asLong()).isEqualTo(WORKFLOWS / 2);
        assertThat(get("/aggregates/" + secret + "/events?aggregateType=Workflow", ORG_B).status()).isEqualTo(404);
        assertThat(get("/aggregates/" + secret + "/events", ORG_B).status()).isEqualTo(404);
        assertThat(ok("/workflows?name=" + SECRET, ADMIN).path("total").asLong()).isEqualTo(1);
    }

    @Test
    void historyAndAsOfThroughTheAggregateRouteAreTheReadModelsFold() throws Exception {
        for (String id : List.of("wf-1", "wf-3", "wf-10", "wf-12")) {
            String key = Integer.parseInt(id.substring(3)) % 2 == 0 ? ORG_A : ORG_B;
            JsonNode h = ok("/aggregates/" + id + "/events?aggregateType=Workflow", key);
            assertThat(h.path("aggregateType").asText()).isEqualTo("Workflow");
            assertThat(h.path("events")).hasSize(EVENTS.get(id).size());
            assertThat(h.path("state")).as(id).isEqualTo(ok("/workflows/" + id, key));
            assertThat(ok("/aggregates/" + id + "/events", key).path("aggregateType").asText()).isEqualTo("Workflow");

            // As of the third event (fetch completed): the fold of the first three, in the read model's shape.
            List<EventDocument> events = EVENTS.get(id);
            Instant asOf = events.get(2).timestamp();
            WorkflowState state = Workflows.TYPE.domain().initial(id);
            for (EventDocument e : events.subList(0, 3)) {
                state = Workflows.TYPE.domain().evolve(state, io.eventflow.aggregate.Histories.recorded(Workflows.TYPE, e));
            }
            JsonNode early = ok("/aggregates/" + id + "/events?aggregateType=Workflow&asOf=" + asOf, key);
            assertThat(early.path("version").asLong()).isEqualTo(3);
            assertThat(early.path("state")).isEqualTo(tree(Workflows.TYPE.readModel().toDocument(state)));
            assertThat(early.path("state").path("status").asText()).isEqualTo("running");
            assertThat(early.path("state").path("steps")).hasSize(1);
        }
    }
}
