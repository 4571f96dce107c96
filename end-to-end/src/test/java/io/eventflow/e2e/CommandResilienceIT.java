package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.command.CommandServiceConfig;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.EventEnvelope;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The command-service as its own JVM never hangs half-alive, and faults of its dependencies cost
 * time, never correctness: Elasticsearch slowed far past the transaction timeout, or gone, under
 * the service (through a proxy of this test's own, so other tests keep their Elasticsearch) makes
 * it wait and retry without a fencing loop, and it answers every command exactly once when
 * Elasticsearch is back; a corrupted local state directory is restored from the changelog with
 * its idempotency memory; /health tells live from ready.
 */
class CommandResilienceIT {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String RUNNING = "command-service state REBALANCING -> RUNNING";
    /** What Kafka and Kafka Streams log when a producer is fenced or a task is taken away from a thread. */
    private static final Pattern FENCING = Pattern.compile(
            "ProducerFencedException|InvalidProducerEpochException|TaskMigratedException|migrated to another thread");
    private static final Pattern METRICS_PORT = Pattern.compile("metrics at http://0\\.0\\.0\\.0:(\\d+)/metrics");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private CommandCluster cluster;
    private DelayingProxy proxy;

    @BeforeEach
    void setUp() throws IOException {
        cluster = new CommandCluster();
        URI es = URI.create(cluster.servers.elasticsearch().split(",")[0].trim());
        proxy = new DelayingProxy(es.getHost(), es.getPort());
    }

    @AfterEach
    void tearDown() {
        cluster.close();
        proxy.close();
    }

    @Test
    void elasticsearchSlowedPastTheTransactionTimeoutCausesNoFencingLoopAndEveryCommandIsAnsweredOnce() throws Exception {
        String name = "slow";
        Process service = startBehindProxy(name);
        int port = awaitHealthy(name);

        KafkaProducer<String, CommandEnvelope> producer = cluster.producer();
        List<CommandEnvelope> sent = new ArrayList<>();
        send(producer, sent, payments("a-", 30));
        awaitResults(sent.size());

        // Every answer of Elasticsearch now arrives 12 s late: more than the 10 s transaction timeout.
        proxy.delay(12_000);
        send(producer, sent, payments("b-", 30));
        send(producer, sent, refunds("a-", 30));
        // Waiting, not ready (its threads fail and are replaced), but live: no supervisor restart.
        JsonNode notReady = await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> health(port, "ready"), h -> h.path("status").asText().equals("NOT_READY"));
        assertThat(notReady.path("reason").asText()).contains("failed");
        assertThat(health(port, "live").path("live").asBoolean()).isTrue();
        await().pollDelay(Duration.ofSeconds(25)).atMost(Duration.ofSeconds(26)).until(() -> true);
        assertThat(service.isAlive()).as("still running while Elasticsearch is slow").isTrue();

        proxy.delay(0);
        assertExactlyOnce(sent, awaitResults(sent.size()));
        assertThat(fencing(name)).as("fencing or migrated tasks in the log: %s", fencingLines(name))
                .isLessThanOrEqualTo(2);
        await().atMost(WAIT).until(() -> health(port, "ready"), h -> h.path("status").asText().equals("UP"));
        assertThat(service.isAlive()).isTrue();
    }

    @Test
    void elasticsearchStoppedUnderTheServiceCausesNoFencingLoopAndEveryCommandIsAnsweredOnce() throws Exception {
        String name = "down";
        Process service = startBehindProxy(name);
        int port = awaitHealthy(name);

        KafkaProducer<String, CommandEnvelope> producer = cluster.producer();
        List<CommandEnvelope> sent = new ArrayList<>();
        send(producer, sent, payments("a-", 30));
        awaitResults(sent.size());

        proxy.down();
        send(producer, sent, payments("b-", 30));
        send(producer, sent, refunds("a-", 30));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> health(port, "ready"), h -> h.path("status").asText().equals("NOT_READY"));
        await().pollDelay(Duration.ofSeconds(25)).atMost(Duration.ofSeconds(26)).until(() -> true);
        assertThat(service.isAlive()).as("still running while Elasticsearch is gone").isTrue();
        assertThat(health(port, "live").path("live").asBoolean()).isTrue();

        proxy.up();
        assertExactlyOnce(sent, awaitResults(sent.size()));
        assertThat(fencing(name)).as("fencing or migrated tasks in the log: %s", fencingLines(name))
                .isLessThanOrEqualTo(2);
        assertThat(service.isAlive()).isTrue();
    }

    @Test
    void aCorruptedStateDirectoryIsRestoredFromTheChangelogWithItsIdempotencyMemory() throws Exception {
        Path state = Files.createTempDirectory("it-state-");
        Process first = cluster.startProcess("before", state);
        cluster.awaitLog("before", RUNNING, 1);
        KafkaProducer<String, CommandEnvelope> producer = cluster.producer();
        List<CommandEnvelope> sent = new ArrayList<>();
        send(producer, sent, payments("a-", 30));
        List<CommandResult> firstResults = awaitResults(sent.size());

        // A clean stop (SIGTERM): the stores are flushed and checkpointed; then garbage over all of it.
        first.destroy();
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        int corrupted = corrupt(state);
        assertThat(corrupted).as("state files overwritten").isGreaterThan(0);

        Process second = cluster.startProcess("after", state);
        cluster.awaitLog("after", "restoring it from the changelog", 1);
        cluster.awaitLog("after", RUNNING, 1);
        // Every command sent again: each gets its first result again, and no second event.
        send(producer, new ArrayList<>(), sent);
        List<CommandResult> all = awaitResults(sent.size() * 2);
        Map<String, List<CommandResult>> byCommand = all.stream()
                .collect(Collectors.groupingBy(CommandResult::getCommandId));
        for (CommandResult r : firstResults) {
            assertThat(byCommand.get(r.getCommandId())).as("results of %s", r.getCommandId())
                    .hasSize(2).allSatisfy(again -> assertThat(again).isEqualTo(r));
        }
        assertThat(cluster.events()).hasSize(sent.size());
        assertThat(second.isAlive()).isTrue();
        assertThat(Files.readString(cluster.log("after"))).contains("wiping it and restoring it from the changelog");
    }

    @Test
    void aStateDirectoryThatCannotBeUsedStopsTheServiceWithExitOneAndAClearMessage() throws Exception {
        // A regular file where the state directory should be: nothing can be restored into it.
        Path notADirectory = Files.createTempFile("it-state-", ".file");
        Process p = cluster.startProcess("unusable", notADirectory);
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("stopped by itself").isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(Files.readString(cluster.log("unusable"))).contains("command-service cannot start")
                .contains(notADirectory.toString());
    }

    // ---- helpers ---------------------------------------------------------------------------

    private Process startBehindProxy(String name) throws IOException {
        return cluster.startProcess(name, Files.createTempDirectory("it-state-"),
                Map.of(CommandServiceConfig.ELASTICSEARCH_URL, proxy.url()));
    }

    /** Waits until the child runs and its /health answers live and ready; returns its metrics port. */
    private int awaitHealthy(String name) throws Exception {
        cluster.awaitLog(name, RUNNING, 1);
        Matcher m;
        try (Stream<String> lines = Files.lines(cluster.log(name))) {
            m = lines.map(METRICS_PORT::matcher).filter(Matcher::find).findFirst().orElseThrow();
        }
        int port = Integer.parseInt(m.group(1));
        JsonNode ready = await().atMost(WAIT).until(() -> health(port, "ready"), h -> h.path("ready").asBoolean());
        assertThat(ready.path("status").asText()).isEqualTo("UP");
        assertThat(health(port, "live").path("live").asBoolean()).isTrue();
        return port;
    }

    /** The body of /health/{which}; the status code must agree with it. */
    private static JsonNode health(int port, String which) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/" + which))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        assertThat(r.statusCode()).isEqualTo(body.path(which).asBoolean() ? 200 : 503);
        return body;
    }

    private static List<CommandEnvelope> payments(String prefix, int n) {
        List<CommandEnvelope> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Commands.process(prefix + i, 1_000, "EUR", "org-1", "u-1", 0L));
        }
        return out;
    }

    private static List<CommandEnvelope> refunds(String prefix, int n) {
        List<CommandEnvelope> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Commands.refund(prefix + i, 10, "org-1", "u-1", 1L));
        }
        return out;
    }

    private void send(KafkaProducer<String, CommandEnvelope> producer, List<CommandEnvelope> sent,
            List<CommandEnvelope> commands) {
        for (CommandEnvelope c : commands) {
            producer.send(new ProducerRecord<>(cluster.commandsTopic, c.getAggregateId(), c));
            sent.add(c);
        }
        producer.flush();
    }

    private List<CommandResult> awaitResults(int count) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(cluster::results, r -> r.size() >= count);
    }

    /** Each command one ACCEPTED result, each event once, every aggregate's versions 1..n. */
    private void assertExactlyOnce(List<CommandEnvelope> sent, List<CommandResult> results) {
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30))
                .until(() -> cluster.results().size() == sent.size());
        Map<String, Long> perCommand = results.stream()
                .collect(Collectors.groupingBy(CommandResult::getCommandId, Collectors.counting()));
        assertThat(perCommand.keySet()).isEqualTo(sent.stream().map(CommandEnvelope::getCommandId)
                .collect(Collectors.toSet()));
        assertThat(perCommand.values()).allMatch(n -> n == 1L);
        assertThat(results).allSatisfy(r -> assertThat(r.getStatus()).as("%s", r).isEqualTo(CommandStatus.ACCEPTED));
        List<EventEnvelope> events = cluster.events();
        assertThat(events).hasSize(sent.size());
        Map<String, TreeSet<Long>> versions = new HashMap<>();
        for (EventEnvelope e : events) {
            assertThat(versions.computeIfAbsent(e.getAggregateId(), k -> new TreeSet<>()).add(e.getVersion()))
                    .as("duplicate event %s v%s", e.getAggregateId(), e.getVersion()).isTrue();
        }
        versions.forEach((id, v) -> assertThat(v.last()).as("versions of %s", id).isEqualTo((long) v.size()));
    }

    private long fencing(String name) throws IOException {
        return fencingLines(name).size();
    }

    private List<String> fencingLines(String name) throws IOException {
        try (Stream<String> lines = Files.lines(cluster.log(name))) {
            return lines.filter(l -> FENCING.matcher(l).find()).toList();
        }
    }

    /** Overwrites every file of the local state (RocksDB files, checkpoints) with garbage. */
    private static int corrupt(Path state) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(state)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().equals(".lock"))
                    .filter(f -> !f.getFileName().toString().startsWith("kafka-streams-process-metadata"))
                    .toList();
        }
        byte[] garbage = "this is not RocksDB nor a checkpoint\n\0\1\2\3".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        for (Path f : files) {
            Files.write(f, garbage);
        }
        return files.size();
    }
}
