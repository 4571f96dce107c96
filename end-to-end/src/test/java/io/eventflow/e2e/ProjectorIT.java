package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventflow.projection.Projector;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The projector's guarantees on the real servers: crashes, an Elasticsearch outage, a poison event, a replay. */
class ProjectorIT {
    private static final Duration WAIT = Duration.ofMinutes(3);

    private ProjectorHarness harness;

    @BeforeEach
    void setUp() {
        harness = new ProjectorHarness();
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    /** Exactly one document per produced event, and every payment equals the fold of its events. */
    private void assertExactlyOnceAndFolded() throws Exception {
        assertThat(harness.eventCount()).isEqualTo(harness.eventIds.size());
        Map<String, PaymentView> views = harness.views();
        assertThat(views.keySet()).isEqualTo(harness.expected.keySet());
        harness.expected.forEach((id, e) -> {
            PaymentView v = views.get(id);
            assertThat(v.version()).as("version of %s", id).isEqualTo(e.version());
            assertThat(v.status()).as("status of %s", id).isEqualTo(e.status());
            assertThat(v.amount()).as("amount of %s", id).isEqualTo(e.amount());
            assertThat(v.refundAmount()).as("refunds of %s", id).isEqualTo(e.refunded());
        });
    }

    @Test
    void killingTheProjectorThreeTimesUnderLoadLosesAndDoublesNothing() throws Exception {
        Process projector = harness.startProcess("p");
        ExecutorService load = Executors.newSingleThreadExecutor();
        Future<?> producing = load.submit(() -> {
            harness.produce(2_000, 6, Duration.ofMillis(25));
            return null;
        });
        for (int kill = 1; kill <= 3; kill++) {
            long before = harness.eventCount();
            await().atMost(WAIT).until(() -> harness.eventCount() > before + 500);
            projector.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, bulks in flight
            projector = harness.startProcess("p");
        }
        producing.get(3, TimeUnit.MINUTES);
        load.shutdown();

        harness.awaitAllIndexed(WAIT);
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(this::assertExactlyOnceAndFolded);
        // Stable: nothing more arrives later.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20))
                .until(() -> harness.eventCount() == harness.eventIds.size());
    }

    @Test
    void anElasticsearchOutageOf30sPausesTheProjectorWhichThenCatchesUpWithoutLoss() throws Exception {
        String stack = System.getenv("EVENTFLOW_STACK");
        Assumptions.assumeTrue(stack != null, "needs bin/stack to stop Elasticsearch (run through bin/test)");
        var metrics = new SimpleMeterRegistry();
        Projector projector = harness.start(metrics);
        ExecutorService load = Executors.newSingleThreadExecutor();
        Future<?> producing = load.submit(() -> {
            harness.produce(2_000, 5, Duration.ofMillis(60));
            return null;
        });
        await().atMost(WAIT).until(() -> harness.eventCount() > 1_000);
        run(stack, "stop", "elasticsearch");
        try {
            long stopped = System.nanoTime();
            // Not ready while its bulks fail, with the reason; still live.
            await().atMost(Duration.ofSeconds(30)).until(() -> !projector.health().ready()
                    && projector.health().reason().startsWith("Elasticsearch unavailable"));
            assertThat(projector.health().live()).isTrue();
            Thread.sleep(Math.max(0, 30_000 - (System.nanoTime() - stopped) / 1_000_000)); // the rest of the outage
            assertThat(projector.isRunning()).isTrue();
        } finally {
            run(stack, "start", "elasticsearch"); // also when an assertion failed: the next tests need it
        }
        producing.get(3, TimeUnit.MINUTES);
        load.shutdown();

        harness.awaitAllIndexed(WAIT);
        await().atMost(WAIT).until(() -> projector.lag() == 0);
        await().atMost(WAIT).until(() -> projector.health().ready());
        assertExactlyOnceAndFolded();
        assertThat(metrics.find("eventflow.projector.retries").counters())
                .as("retries by cause").isNotEmpty();
    }

    static void run(String stack, String... args) throws Exception {
        var command = new java.util.ArrayList<>(List.of(stack));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("%s", command).isZero();
    }

    @Test
    void anEventThatCannotBeMappedIsDeadLetteredAndTheEventsAroundItAreIndexed() throws Exception {
        var metrics = new SimpleMeterRegistry();
        harness.start(metrics);
        var before = ProjectorHarness.event("pay-a", 1, new PaymentProcessed("pay-a", 100L, "EUR", "o", "u", null), Map.of());
        // A payload field the mapping cannot fit: Elasticsearch refuses the document with a 400.
        // (metadata.extra is flattened, which takes any key, so an odd metadata key no longer does.)
        harness.es.indices().putMapping(m -> m.index(harness.indices.eventsAlias()).withJson(new java.io.StringReader(
                "{\"properties\":{\"eventData\":{\"properties\":{\"reason\":{\"type\":\"boolean\"}}}}}")));
        var poison = ProjectorHarness.event("pay-b", 1, new PaymentFailed("pay-b", "declined"), Map.of());
        var after = ProjectorHarness.event("pay-c", 1, new PaymentProcessed("pay-c", 300L, "EUR", "o", "u", null), Map.of());
        for (var e : List.of(before, poison, after)) {
            harness.send(e);
        }
        harness.flush();

        TopicReader reader = new TopicReader(harness.servers.kafka());
        var letters = await().atMost(WAIT).until(() -> reader.readAll(harness.deadLetterTopic), l -> !l.isEmpty());
        assertThat(letters).hasSize(1);
        var letter = letters.get(0);
        assertThat(header(letter, DeadLetterHeaders.REASON)).contains("400");
        assertThat(header(letter, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(harness.eventsTopic);
        assertThat(header(letter, DeadLetterHeaders.SOURCE_PARTITION)).isNotBlank();
        assertThat(header(letter, DeadLetterHeaders.SOURCE_OFFSET)).isNotBlank();
        await().atMost(WAIT).until(() -> harness.eventCount() == 2);
        assertThat(metrics.get("eventflow.projector.dead.lettered").counter().count()).isEqualTo(1);
    }

    private static String header(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void replayingFromOffsetZeroChangesNoReadModelAndCountsTheNoOps() throws Exception {
        Projector first = harness.start(new SimpleMeterRegistry());
        harness.produce(300, 4, Duration.ZERO);
        harness.awaitAllIndexed(WAIT);
        await().atMost(WAIT).until(() -> first.lag() == 0);
        await().atMost(WAIT).untilAsserted(this::assertExactlyOnceAndFolded);
        Map<String, PaymentView> before = harness.views();
        first.close();

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, harness.servers.kafka()))) {
            Map<TopicPartition, OffsetAndMetadata> zero = new HashMap<>();
            for (int p = 0; p < ProjectorHarness.PARTITIONS; p++) {
                zero.put(new TopicPartition(harness.eventsTopic, p), new OffsetAndMetadata(0));
            }
            admin.alterConsumerGroupOffsets(harness.groupId, zero).all().get();
        }
        var metrics = new SimpleMeterRegistry();
        Projector replay = harness.start(metrics);
        int events = harness.eventIds.size();
        await().atMost(WAIT).until(() -> noops(metrics, "events") >= events);
        await().atMost(WAIT).until(() -> replay.lag() == 0);

        assertThat(harness.views()).isEqualTo(before);
        assertThat(harness.eventCount()).isEqualTo(events);
        assertThat(noops(metrics, "events")).isEqualTo(events);
        assertThat(noops(metrics, "payments")).isPositive();
    }

    private static double noops(SimpleMeterRegistry metrics, String index) {
        var c = metrics.find("eventflow.projector.noops").tag("index", index).counter();
        return c == null ? 0 : c.count();
    }
}
