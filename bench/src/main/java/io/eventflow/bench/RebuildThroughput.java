package io.eventflow.bench;

import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.projection.ProjectionDocuments;
import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.TopicPolicy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Replay rate of a rebuild of the event-store index, side by side with the Elasticsearch client's
 * {@code BulkIngester} writing the same documents, in one run.
 *
 * <p>Pre-produces N events and keeps the event documents they stand for (with their topic
 * positions). A live projector (its own JVM) indexes them; then {@code projector-cli rebuild events}
 * (its own JVM, the same heap) replays the topic into a new index, verifies and swaps. The replay
 * rate is what the tool reports for its replay, before verification. Then BulkIngester writes the
 * same documents, with the same batch size and concurrency, into a fresh index with the settings a
 * rebuild uses (refresh off, no replicas), from a fresh JVM of its own ({@link BaselineChild}), as
 * cold as the rebuild's.
 */
public final class RebuildThroughput {
    private static final int PARTITIONS = 6;
    private static final int BATCH = 2_000;
    private static final int IN_FLIGHT = 2;
    private static final Pattern REPLAYED = Pattern.compile("replayed ([\\d,]+) records in ([\\d.]+) s");

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path jar = Path.of(args.length > 1 ? args[1] : "projector/target/projector.jar");
        String heap = args.length > 2 ? args[2] : "256m";
        if (n < 5) {
            throw new IllegalArgumentException("the number of records must be at least 5, got " + n);
        }
        String kafka = ProcessStats.env("KAFKA_BOOTSTRAP_SERVERS");
        String registryUrl = ProcessStats.env("SCHEMA_REGISTRY_URL");
        String esUrl = ProcessStats.env("ELASTICSEARCH_URL");
        String id = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = id + "-events";
        KafkaTopics.ensure(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka),
                Map.of(topic, TopicPolicy.events(-1), id + "-dlq", Map.of()), PARTITIONS, (short) 1);
        var es = ElasticsearchClients.connect(esUrl);
        try {
            System.out.printf("pre-producing %,d events to %s (%d partitions)...%n", n, topic, PARTITIONS);
            EventDocument[] docs = preProduce(kafka, registryUrl, topic, n);
            // The baseline runs in a JVM of its own, started fresh like the rebuild's: it reads these first.
            var indices = io.eventflow.aggregate.AggregateIndices.of(id + "-b-", io.eventflow.aggregate.AggregateTypes.of(io.eventflow.payments.Payments.TYPE));
            indices.ensure(es, 0);
            Path baselineFile = Path.of("bench", "target", id, "baseline.jsonl");
            try (var w = new BaselineChild.Writer(baselineFile)) {
                for (EventDocument d : docs) {
                    w.event(d);
                }
            }
            docs = null;

            int metricsPort;
            try (ServerSocket s = new ServerSocket(0)) {
                metricsPort = s.getLocalPort();
            }
            Map<String, String> config = new java.util.HashMap<>(Map.of(
                    "bootstrap.servers", kafka, "group.id", id + "-projector", "schema.registry.url", registryUrl,
                    "elasticsearch.url", esUrl, "elasticsearch.index.prefix", id + "-p-",
                    "elasticsearch.index.replicas", "0", "events.topic", topic, "dead.letter.topic", id + "-dlq",
                    "metrics.port", String.valueOf(metricsPort), "batch.max.events", String.valueOf(BATCH)));
            config.put("aggregate.types", "payments");
            // max.in.flight.bulks keeps its default, IN_FLIGHT
            System.out.println("live projector indexing them...");
            ChildService projector = new ChildService(jar, heap, config, Path.of("bench", "target", id), "projector");
            int rounds = ProjectorThroughput.rounds();
            List<RebuildRun> rebuilds = new ArrayList<>();
            List<BaselineChild.Run> baselines = new ArrayList<>();
            try {
                projector.awaitCommitted(kafka, id + "-projector", n);
                for (int r = 0; r < rounds; r++) {
                    // Alternating which side goes first: the node, the page cache and the machine drift within a run.
                    boolean rebuildFirst = r % 2 == 0;
                    for (int k = 0; k < 2; k++) {
                        awaitNoMerges(es);
                        if ((k == 0) == rebuildFirst) {
                            System.out.printf("round %d: rebuild of the events index while the live projector runs:%n", r + 1);
                            rebuilds.add(runRebuild(config, jar, heap, n));
                            // The index the rebuild replaced is not needed again.
                            String live = es.indices().getAlias(g -> g.name(id + "-p-events")).result().keySet().iterator().next();
                            for (String old : es.indices().get(g -> g.index(id + "-p-events-v*")).result().keySet()) {
                                if (!old.equals(live)) {
                                    es.indices().delete(d -> d.index(old));
                                }
                            }
                        } else {
                            System.out.printf("round %d: BulkIngester with the same documents, in a fresh JVM...%n", r + 1);
                            String raw = indices.eventsAlias() + "-raw" + r;
                            es.indices().create(c -> c.index(raw).withJson(new StringReader(
                                    "{\"settings\": {\"number_of_replicas\": 0, \"refresh_interval\": \"-1\"}}")));
                            baselines.add(BaselineChild.run(baselineFile, BATCH, IN_FLIGHT, n, raw, null));
                            es.indices().delete(d -> d.index(raw));
                        }
                    }
                    System.out.printf("round %d: rebuild %,.0f events/s, BulkIngester %,.0f events/s, ratio %.3f%n", r + 1,
                            rebuilds.get(r).rate(), n / baselines.get(r).seconds(),
                            rebuilds.get(r).rate() / (n / baselines.get(r).seconds()));
                }
            } finally {
                projector.stop();
                java.nio.file.Files.deleteIfExists(baselineFile);
            }
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = rebuilds.get(r).rate() / (n / baselines.get(r).seconds());
            }
            int median = ProjectorThroughput.medianIndex(ratios);
            System.out.println();
            System.out.println("=== rebuild replay rate (event-store index) ===");
            System.out.printf("events                          : %,d (%d partitions)%n", n, PARTITIONS);
            System.out.printf("both sides                      : %d documents per bulk at most, %d bulks in flight, "
                    + "refresh off, 0 replicas; the rebuild through bin/projector-cli with its default JVM options "
                    + "(PROJECTOR_CLI_HEAP=%s), BulkIngester in a fresh JVM with -Xmx4g%n", BATCH, IN_FLIGHT, heap);
            System.out.printf("rounds                          : %d, alternating which side goes first (the rebuild in rounds 1, 3, ...)%n",
                    rounds);
            for (int r = 0; r < rounds; r++) {
                RebuildRun rb = rebuilds.get(r);
                BaselineChild.Run b = baselines.get(r);
                System.out.printf("round %d                         : rebuild replay %,.0f events/s (%,d records in %.1f s, as "
                        + "it reports), BulkIngester %,.0f events/s (%.1f s), ratio %.3f%s%n", r + 1, rb.rate(),
                        rb.replayed(), rb.seconds(), n / b.seconds(), b.seconds(), ratios[r], r == median ? "  <- median" : "");
                System.out.printf("  CPU, rebuild (whole run)      : %s%n", rb.whole());
                System.out.printf("  CPU, rebuild (start to cut)   : %s%n", rb.toCut());
                System.out.printf("  CPU, BulkIngester side        : %s%n", b.cpuShare().replace("\n", "\n    "));
            }
            System.out.printf("median ratio rebuild / BulkIngester : %.3f (rounds: %s)%n", ratios[median],
                    java.util.Arrays.toString(java.util.Arrays.stream(ratios).mapToObj(x -> String.format("%.3f", x)).toArray()));
            System.out.printf("target ratio 0.9 (median)       : %s%n", ratios[median] >= 0.9 ? "met" : "NOT met");
        } finally {
            List<String> ours = List.copyOf(es.indices().get(g -> g.index(id + "-*")).result().keySet());
            if (!ours.isEmpty()) {
                es.indices().delete(d -> d.index(ours));
            }
            ElasticsearchClients.close(es);
            ProcessStats.deleteTopics(kafka, id + "-");
        }
    }

    /** One rebuild: its replay as it reports it, and where the CPU went. */
    private record RebuildRun(double rate, double seconds, long replayed, String whole, String toCut) {
    }

    /** {@code bin/projector-cli rebuild events} with the live projector's configuration, to its swap. */
    private static RebuildRun runRebuild(Map<String, String> config, Path jar, String heap, int n) throws Exception {
        // Through the launcher users run, with its JVM options (it execs java: same pid).
        List<String> command = new ArrayList<>(List.of(Path.of("bin", "projector-cli").toString()));
        config.forEach((k, v) -> command.addAll(List.of("-D", k + "=" + v)));
        command.addAll(List.of("rebuild", "events", "--progress-interval-ms", "5000"));
        ProcessBuilder launch = new ProcessBuilder(command).redirectErrorStream(true);
        launch.environment().put("PROJECTOR_JAR", jar.toAbsolutePath().toString());
        launch.environment().put("PROJECTOR_CLI_HEAP", heap);
        launch.environment().remove("PROJECTOR_CLI_JAVA_OPTS");
        String extraOpts = System.getenv("REBUILD_JAVA_OPTS"); // e.g. a JFR recording
        if (extraOpts != null && !extraOpts.isBlank()) {
            launch.environment().put("JAVA_TOOL_OPTIONS", extraOpts.trim());
        }
        // The rebuild's own CPU is read from this JVM's reaped-children counters once it has exited.
        long reaped0 = ProcessStats.reapedChildrenTicks();
        CpuShare share = CpuShare.start();
        // A second span that ends at the cut: the whole run's counters include verification.
        CpuShare toCut = CpuShare.start();
        String rebuildToCut = "(not seen)";
        Process rebuild = launch.start();
        Matcher m = null;
        try (var out = new BufferedReader(new InputStreamReader(rebuild.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (!line.contains(" INFO ") && !line.contains(" WARN ")) {
                    System.out.println("  | " + line);
                }
                Matcher r = REPLAYED.matcher(line);
                if (r.find()) {
                    m = r;
                    toCut.stop();
                    rebuildToCut = toCut.line(n, ProcessStats.cpuTicks(rebuild.pid())) + "\n                                    "
                            + toCut.nodeLine();
                }
            }
        }
        if (rebuild.waitFor() != 0 || m == null) {
            throw new IllegalStateException("the rebuild failed (exit " + rebuild.exitValue() + ")");
        }
        share.stop();
        String whole = share.line(n, ProcessStats.reapedChildrenTicks() - reaped0) + "\n                                    "
                + share.nodeLine();
        long replayed = Long.parseLong(m.group(1).replace(",", ""));
        double seconds = Double.parseDouble(m.group(2));
        return new RebuildRun(replayed / seconds, seconds, replayed, whole, rebuildToCut);
    }

    /**
     * Waits until Elasticsearch runs no merges for three seconds in a row (at most three minutes),
     * so that neither side pays for the merges the other one (or the live projector) left behind.
     */
    static void awaitNoMerges(co.elastic.clients.elasticsearch.ElasticsearchClient es) throws Exception {
        var rest = ElasticsearchClients.restClient(es);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        int quiet = 0;
        long waited = System.nanoTime();
        while (quiet < 3 && System.nanoTime() < deadline) {
            var response = rest.performRequest(new org.elasticsearch.client.Request("GET",
                    "/_nodes/stats/indices/merge?filter_path=nodes.*.indices.merges.current"));
            String body = new String(response.getEntity().getContent().readAllBytes(), StandardCharsets.UTF_8);
            quiet = body.contains("\"current\":0}") ? quiet + 1 : 0;
            Thread.sleep(1_000);
        }
        System.out.printf("  (Elasticsearch merges settled after %.0f s)%n", (System.nanoTime() - waited) / 1e9);
    }

    /** Produces the events and returns their event documents, each with the position Kafka gave it. */
    private static EventDocument[] preProduce(String kafka, String registryUrl, String topic, int n) throws Exception {
        EventLoad.Produced produced = EventLoad.produce(kafka, registryUrl, topic, n);
        EventDocument[] docs = new EventDocument[n];
        for (int i = 0; i < n; i++) {
            docs[i] = ProjectionDocuments.event(EventLoad.event(i, produced.t0()), produced.positions()[i]);
        }
        return docs;
    }
}
