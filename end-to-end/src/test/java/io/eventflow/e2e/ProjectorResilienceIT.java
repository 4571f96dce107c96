package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.PrometheusEndpoint;
import io.eventflow.payments.Payments;
import io.eventflow.projection.Projector;
import io.eventflow.projection.ProjectorConfig;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The projector never half-alive (issue 12): it survives its broker going away, reads a lag of 0
 * after transactional writes, reports a mapping that needs a rebuild, and says so on /health.
 */
class ProjectorResilienceIT {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ProjectorHarness harness;

    @BeforeEach
    void setUp() {
        harness = new ProjectorHarness();
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void aProjectorWhoseBrokerDisappearsFor30sSurvivesAndResumes() throws Exception {
        String stack = System.getenv("EVENTFLOW_STACK");
        Assumptions.assumeTrue(stack != null, "needs bin/stack to stop Kafka (run through bin/test)");
        int port = freePort();
        Process projector = harness.startProcess("broker-outage", Map.of(ProjectorConfig.METRICS_PORT,
                String.valueOf(port), ProjectorConfig.INFRASTRUCTURE_RETRY_TIMEOUT_MS, "120000"));
        // Ready once it owns its partitions, through the real endpoint of the child JVM.
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> ready = get(port, "/health/ready");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"UP\"");
        });
        harness.produce(200, 2, Duration.ZERO);
        harness.awaitAllIndexed(WAIT);

        ProjectorIT.run(stack, "stop", "kafka");
        try {
            Thread.sleep(30_000); // the outage itself, not a wait for a condition
            assertThat(projector.isAlive()).as("projector alive with its broker down").isTrue();
            assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
        } finally {
            ProjectorIT.run(stack, "start", "kafka");
        }
        harness.produce(200, 2, Duration.ZERO);
        harness.awaitAllIndexed(WAIT);
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> scrapedLag(port) == 0);
        assertThat(harness.eventCount()).isEqualTo(harness.eventIds.size());
        assertThat(projector.isAlive()).as("projector alive after its broker came back").isTrue();
        assertThat(get(port, "/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void lagReadsZeroOnceEverythingWrittenInTransactionsIsProjected() throws Exception {
        var metrics = new SimpleMeterRegistry();
        Projector projector = harness.start(metrics);
        int events = 0;
        try (KafkaProducer<String, EventEnvelope> tx = harness.transactionalProducer()) {
            for (int t = 0; t < 4; t++) {
                tx.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    EventEnvelope e = harness.next(t * 10 + i);
                    harness.eventIds.add(e.getEventId());
                    tx.send(new ProducerRecord<>(harness.eventsTopic, e.getAggregateId(), e));
                    events++;
                }
                tx.commitTransaction();
            }
        }
        harness.awaitAllIndexed(WAIT);
        assertThat(harness.eventCount()).isEqualTo(events);
        await().atMost(Duration.ofMinutes(1)).until(() -> projector.lag() == 0);
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            var gauges = metrics.find("eventflow.projector.lag.records").gauges();
            assertThat(gauges).hasSize(ProjectorHarness.PARTITIONS);
            assertThat(gauges.stream().mapToDouble(Gauge::value).sum()).isZero();
        });
        // What a group-lag monitor reads: the committed offsets reach the end, past the commit markers.
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(committedLag()).isZero());
    }

    @Test
    void aFieldWhoseTypeTheLiveIndexCannotTakeIsReportedAndTheRestIsStillIndexed() throws Exception {
        // The live payments index as an older projector made it: "error" was a long.
        String index = harness.indices.versionedIndex("payments", 1);
        ObjectNode mappings = (ObjectNode) ElasticsearchClients.objectMapper()
                .readTree(Payments.TYPE.readModel().mappings());
        ((ObjectNode) mappings.path("properties")).putObject("error").put("type", "long");
        String body = "{\"settings\":{\"number_of_replicas\":0},\"mappings\":" + mappings + ",\"aliases\":{\""
                + harness.indices.alias("payments") + "\":{\"is_write_index\":true}}}";
        harness.es.indices().create(c -> c.index(index).withJson(new StringReader(body)));

        Projector projector = harness.start(new SimpleMeterRegistry());
        assertThat(projector.mappingConflicts()).singleElement().satisfies(c -> {
            assertThat(c.index()).isEqualTo(index);
            assertThat(c.field()).isEqualTo("error");
            assertThat(c.liveType()).isEqualTo("long");
            assertThat(c.templateType()).isEqualTo("text");
            assertThat(c.message()).contains("rebuild needed: projector-cli rebuild payments");
        });
        try (var endpoint = PrometheusEndpoint.start(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), 0,
                projector::health)) {
            HttpResponse<String> ready = get(endpoint.port(), "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("rebuild needed: projector-cli rebuild payments").contains("error");
            assertThat(get(endpoint.port(), "/health/live").statusCode()).isEqualTo(200);
        }

        // What the live mapping accepts is still written: every event, and the payments without an error.
        var ok = ProjectorHarness.event("pay-ok", 1, new PaymentProcessed("pay-ok", 100L, "EUR", "o", "u", null), Map.of());
        var failed = ProjectorHarness.event("pay-failed", 1, new PaymentFailed("pay-failed", "declined"), Map.of());
        harness.send(ok);
        harness.send(failed);
        harness.flush();
        await().atMost(WAIT).until(() -> harness.eventCount() == 2);
        await().atMost(WAIT).until(() -> harness.views().containsKey("pay-ok"));
        assertThat(harness.views()).doesNotContainKey("pay-failed");
        assertThat(projector.isRunning()).isTrue();
    }

    @Test
    void aProjectorThatCannotStartExitsWithStatus1() throws Exception {
        // Elasticsearch on a port where nothing listens: the set-up fails after the metrics endpoint
        // started, whose dispatcher thread would keep the JVM alive without the exit.
        Process projector = harness.startProcess("cannot-start", Map.of(ProjectorConfig.METRICS_PORT,
                String.valueOf(freePort()), ProjectorConfig.ELASTICSEARCH_URL, "http://127.0.0.1:" + freePort()));
        assertThat(projector.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).as("projector exited").isTrue();
        assertThat(projector.exitValue()).isEqualTo(1);
        assertThat(java.nio.file.Files.readString(ChildJvm.log(harness.id + "-cannot-start")))
                .contains("projector could not start");
    }

    private long committedLag() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, harness.servers.kafka()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(harness.groupId)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < ProjectorHarness.PARTITIONS; p++) {
                latest.put(new TopicPartition(harness.eventsTopic, p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
            long lag = 0;
            for (var e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                lag += e.getValue().offset() - (c == null ? 0 : c.offset());
            }
            return lag;
        }
    }

    /** The sum of eventflow_projector_lag_records over the partitions, from /metrics; -1 if none yet. */
    private static long scrapedLag(int port) throws Exception {
        List<String> lines = get(port, "/metrics").body().lines()
                .filter(l -> l.startsWith("eventflow_projector_lag_records{")).collect(Collectors.toList());
        if (lines.isEmpty()) {
            return -1;
        }
        return (long) lines.stream().mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
