package io.eventflow.bench;

import io.eventflow.e2e.Commands;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.RestSchemaRegistryClient;
import io.eventflow.schemas.serde.TopicPolicy;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Read-your-writes freshness through the whole pipeline, next to Elasticsearch's own refresh, in
 * one run.
 *
 * <p>Starts the command-service, the projector and the analytics API as their own JVMs on fresh
 * topics and indices. Measures the pipeline's throughput on a burst of ProcessPayment commands
 * (until the projector has committed all their events). Then produces commands at half that rate
 * and, for each, asks {@code GET /payments/{id}?minVersion=1} with a tenant key right after
 * producing it: the time until the answer is the freshness a client sees. Finally indexes
 * documents straight into an Elasticsearch index that is being searched and polls a search until
 * each is visible: the part of that time that is Elasticsearch's refresh alone.
 */
public final class ApiFreshness {
    private static final int PARTITIONS = 6;
    private static final String KEY = "bench-tenant-key-1";
    private static final double GOAL_P99_MS = 1_500;
    /**
     * One command in this many is read back. Each read holds one of the API's HTTP threads while it
     * waits; reading every command at a few hundred per second would measure the thread pool's
     * queue, not freshness.
     */
    private static final int SAMPLE_EVERY = 10;

    public static void main(String[] args) throws Exception {
        int burst = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        String kafka = ProcessStats.env("KAFKA_BOOTSTRAP_SERVERS");
        String registryUrl = ProcessStats.env("SCHEMA_REGISTRY_URL");
        String esUrl = ProcessStats.env("ELASTICSEARCH_URL");
        String id = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String commands = id + "-commands";
        KafkaTopics.ensure(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka), Map.of(commands, Map.of(),
                id + "-events", TopicPolicy.events(-1), id + "-results", Map.of(), id + "-dlq", Map.of(),
                id + "-events-dlq", Map.of()), PARTITIONS, (short) 1);
        Path dir = Path.of("bench", "target", id);
        int apiPort;
        try (ServerSocket s = new ServerSocket(0)) {
            apiPort = s.getLocalPort();
        }
        Map<String, String> common = Map.of("bootstrap.servers", kafka, "schema.registry.url", registryUrl,
                "elasticsearch.url", esUrl, "elasticsearch.index.prefix", id + "-", "aggregate.types", "payments",
                "metrics.port", "0");
        Map<String, String> cs = new HashMap<>(common);
        cs.putAll(Map.of("application.id", id + "-command-service", "commands.topic", commands,
                "events.topic", id + "-events", "results.topic", id + "-results", "dead.letter.topic", id + "-dlq",
                "state.dir", dir.resolve("state").toAbsolutePath().toString()));
        Map<String, String> pj = new HashMap<>(common);
        pj.putAll(Map.of("group.id", id + "-projector", "events.topic", id + "-events", "dead.letter.topic",
                id + "-events-dlq", "elasticsearch.index.replicas", "0"));
        Map<String, String> api = new HashMap<>(Map.of("elasticsearch.url", esUrl, "elasticsearch.index.prefix", id + "-",
                "http.port", String.valueOf(apiPort), "api.keys", KEY + ":org-bench", "read.wait.timeout.ms", "10000",
                "read.wait.max.concurrent", "512"));
        List<ChildService> services = new ArrayList<>();
        ExecutorService httpThreads = Executors.newFixedThreadPool(8);
        HttpClient http = HttpClient.newBuilder().executor(httpThreads).build();
        ExecutorService readers = Executors.newFixedThreadPool(64);
        try (var registry = new RestSchemaRegistryClient(registryUrl, Duration.ofSeconds(10));
                var serializer = new AvroSerializer<CommandEnvelope>(registry, true);
                var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
            ChildService commandService = new ChildService(Path.of("command-service/target/command-service.jar"), "256m",
                    cs, dir, "command-service");
            services.add(commandService);
            ChildService projector = new ChildService(Path.of("projector/target/projector.jar"), "256m", pj, dir, "projector");
            services.add(projector);
            services.add(new ChildService(Path.of("analytics-api/target/analytics-api.jar"), "256m", api, dir,
                    "analytics-api"));
            String base = "http://127.0.0.1:" + apiPort;
            awaitUp(http, base);

            System.out.printf("measuring the pipeline: a burst of %,d ProcessPayment commands...%n", burst);
            for (int i = 0; i < burst; i++) {
                send(producer, serializer, commands, "burst-" + i);
            }
            producer.flush();
            ChildService.Timing pipeline = projector.awaitCommitted(kafka, id + "-projector", burst);
            double pace = pipeline.rate() / 2;
            System.out.printf("  pipeline: %,.0f commands/s (commands to projected events); pacing at %,.0f/s for %d s%n",
                    pipeline.rate(), pace, seconds);

            List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
            // When each sampled command's result became readable (read_committed): the command side's share.
            Map<String, Long> sentAt = new java.util.concurrent.ConcurrentHashMap<>();
            List<Double> resultLatencies = Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread results = new Thread(() -> readResults(kafka, id + "-results", sentAt, resultLatencies, reading));
            results.start();
            AtomicInteger failed = new AtomicInteger();
            long start = System.nanoTime();
            int n = (int) (pace * seconds);
            for (int i = 0; i < n; i++) {
                long due = start + (long) (i / pace * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                String paymentId = "fresh-" + i;
                long sent = System.nanoTime();
                if (i % SAMPLE_EVERY == 0) {
                    sentAt.put(paymentId, sent);
                }
                send(producer, serializer, commands, paymentId);
                if (i % SAMPLE_EVERY != 0) {
                    continue;
                }
                readers.submit(() -> {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/payments/"
                                + paymentId + "?minVersion=1")).header("X-API-Key", KEY).timeout(Duration.ofSeconds(30))
                                .GET().build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            latencies.add((System.nanoTime() - sent) / 1e6);
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                });
            }
            readers.shutdown();
            readers.awaitTermination(2, TimeUnit.MINUTES);
            reading.set(false);
            results.join();
            double[] commandSide = percentiles(resultLatencies);
            double[] esVisible = elasticsearchRefresh(http, esUrl, id + "-refresh-probe", 200);

            double[] fresh = percentiles(latencies);
            System.out.println();
            System.out.println("=== read-your-writes freshness ===");
            System.out.printf("pipeline throughput            : %,.0f commands/s; paced at %,.0f/s (half) for %d s%n",
                    pipeline.rate(), pace, seconds);
            System.out.printf("read back                      : one command in %d, as soon as it is produced, with a tenant key%n",
                    SAMPLE_EVERY);
            System.out.printf("command -> GET ?minVersion=1   : p50 %,.0f ms, p95 %,.0f ms, p99 %,.0f ms (%,d answered, %d failed or timed out)%n",
                    fresh[0], fresh[1], fresh[2], latencies.size(), failed.get());
            System.out.printf("  of which command -> result   : p50 %,.0f ms, p95 %,.0f ms, p99 %,.0f ms (the command-service: its "
                    + "lookup, decision and transaction commit)%n", commandSide[0], commandSide[1], commandSide[2]);
            System.out.printf("Elasticsearch alone (refresh)  : p50 %,.0f ms, p95 %,.0f ms, p99 %,.0f ms until a just-indexed document is searchable%n",
                    esVisible[0], esVisible[1], esVisible[2]);
            System.out.printf("goal p99 <= %,.0f ms           : %s (p99 is %,.0f ms, %+,.0f ms from the goal)%n", GOAL_P99_MS,
                    fresh[2] <= GOAL_P99_MS && failed.get() == 0 ? "met" : "NOT met", fresh[2], fresh[2] - GOAL_P99_MS);
            System.out.printf("what limits it                 : at p50, %,.0f ms to the command's result, then %,.0f ms to the "
                    + "answer: the projector's batch, the refresh (%,.0f ms alone) and the API's polling (20-250 ms back-off)%n",
                    commandSide[0], fresh[0] - commandSide[0], esVisible[0]);
        } finally {
            for (ChildService s : services) {
                s.stop();
            }
            httpThreads.shutdownNow();
            ProcessStats.deleteTopics(kafka, id + "-");
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(esUrl + "/" + id + "-*")).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding());
        }
    }

    /** Records, for each sampled command, when its result became readable, until {@code reading} is false. */
    private static void readResults(String kafka, String topic, Map<String, Long> sentAt, List<Double> latencies,
            java.util.concurrent.atomic.AtomicBoolean reading) {
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(Map.<String, Object>of(
                "bootstrap.servers", kafka, "group.id", topic + "-freshness", "auto.offset.reset", "latest",
                "isolation.level", "read_committed", "enable.auto.commit", "false"),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (reading.get()) {
                for (var r : consumer.poll(Duration.ofMillis(20))) {
                    Long sent = r.key() == null ? null : sentAt.remove(new String(r.key(), StandardCharsets.UTF_8));
                    if (sent != null) {
                        latencies.add((System.nanoTime() - sent) / 1e6);
                    }
                }
            }
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, AvroSerializer<CommandEnvelope> serializer,
            String topic, String paymentId) {
        CommandEnvelope c = Commands.process(paymentId, 1_000, "EUR", "org-bench", "u-1", 0L);
        producer.send(new ProducerRecord<>(topic, paymentId.getBytes(StandardCharsets.UTF_8), serializer.serialize(topic, c)));
    }

    private static void awaitUp(HttpClient http, String base) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the analytics API did not start on " + base);
    }

    /**
     * Indexes {@code n} documents one by one into {@code index} (default settings, so it is
     * refreshed every second while it is searched) and polls a search for each until it is visible.
     */
    private static double[] elasticsearchRefresh(HttpClient http, String esUrl, String index, int n) throws Exception {
        List<Double> visible = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String doc = "d-" + i;
            long start = System.nanoTime();
            http.send(HttpRequest.newBuilder(URI.create(esUrl + "/" + index + "/_doc/" + doc))
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + "}"))
                    .build(), HttpResponse.BodyHandlers.discarding());
            while (true) {
                String body = http.send(HttpRequest.newBuilder(URI.create(esUrl + "/" + index + "/_count?q=_id:" + doc))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                if (body.contains("\"count\":1")) {
                    break;
                }
                Thread.sleep(5);
            }
            visible.add((System.nanoTime() - start) / 1e6);
            Thread.sleep(37); // not in step with the refresh
        }
        return percentiles(visible);
    }

    private static double[] percentiles(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        return new double[] {at(sorted, 0.50), at(sorted, 0.95), at(sorted, 0.99)};
    }

    private static double at(List<Double> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }
}
