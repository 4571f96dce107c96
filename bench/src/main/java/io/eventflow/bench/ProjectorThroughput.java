package io.eventflow.bench;

import co.elastic.clients.elasticsearch._types.VersionType;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.Position;
import io.eventflow.payments.PaymentState;
import io.eventflow.payments.Payments;
import io.eventflow.projection.ProjectionDocuments;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.TopicPolicy;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Projector throughput, side by side with the Elasticsearch client's own bulk helper
 * ({@code BulkIngester}) sending the same documents from memory, in one run.
 *
 * <p>Pre-produces N events (per payment one PaymentProcessed and four PaymentRefunded, keyed by
 * payment) and keeps the documents they stand for, as the projector writes them (with their topic
 * positions): every event document and the final payment document per payment. A throwaway
 * projector warms Elasticsearch up. Then it runs the projector as its own JVM with {@code -Xmx256m}
 * into fresh indices, timed from its first committed offset to the last. Then it runs BulkIngester
 * with the projector's batch size and concurrency into other fresh indices, in a fresh JVM of its
 * own ({@link BaselineChild}), and, as a diagnostic, once more from this JVM in the projector's order
 * at the projector's rate. Each side reports where the CPU went ({@link CpuShare}).
 */
public final class ProjectorThroughput {
    private static final int PARTITIONS = 6;
    private static final int BATCH = 2_000;
    private static final int IN_FLIGHT = 2;
    /** How many events the throwaway projector indexes to warm Elasticsearch up. */
    private static final int WARM_UP_EVENTS = 300_000;

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

        System.out.printf("pre-producing %,d events (%,d payments) to %s (%d partitions)...%n", n, n / 5, topic, PARTITIONS);
        List<EventDocument> events = new ArrayList<>(n);
        Map<String, Current> views = new LinkedHashMap<>(n / 5 * 2);
        List<Object> interleaved = new ArrayList<>(n + n / 4);
        double avg = preProduce(kafka, registryUrl, topic, n, events, views, interleaved);
        System.out.printf("  average record %.0f B; %,d event documents and %,d payment documents to write%n", avg,
                events.size(), views.size());
        int eventDocs = events.size();

        var es = ElasticsearchClients.connect(esUrl);
        // The baseline runs in a JVM of its own, started fresh like the projector's: it reads these first.
        Path baselineFile = Path.of("bench", "target", id, "baseline.jsonl");
        try (var w = new BaselineChild.Writer(baselineFile)) {
            for (EventDocument d : events) {
                w.event(d);
            }
            for (Current c : views.values()) {
                w.model(c.state().paymentId(), c.state().version(),
                        ProjectionDocuments.document(Payments.TYPE, c.state(), c.position()));
            }
        }
        events.clear();

        // A fresh node indexes its first documents at a fraction of its steady rate (its JIT is cold),
        // which would be charged to whichever side went first. So a throwaway projector (its own JVM,
        // its own group and indices) warms the node up first. Neither client starts warm: the projector
        // and BulkIngester each run in a JVM of their own, started for the measurement.
        int warmEvents = Math.min(n, WARM_UP_EVENTS);
        System.out.printf("warming Elasticsearch up: a throwaway projector indexes the first %,d events into "
                + "throwaway indices (not counted)...%n", warmEvents);
        Map<String, String> warmConfig = new java.util.HashMap<>(Map.of(
                "bootstrap.servers", kafka, "group.id", id + "-warm-up", "schema.registry.url", registryUrl,
                "elasticsearch.url", esUrl, "elasticsearch.index.prefix", id + "-w-", "elasticsearch.index.replicas", "0",
                "events.topic", topic, "dead.letter.topic", id + "-dlq", "metrics.port", "0",
                "batch.max.events", String.valueOf(BATCH)));
        warmConfig.put("aggregate.types", "payments");
        ChildService warmUp = new ChildService(jar, heap, warmConfig, Path.of("bench", "target", id), "warm-up");
        try {
            warmUp.awaitCommitted(kafka, id + "-warm-up", warmEvents);
        } finally {
            warmUp.stop();
        }
        List<String> warmIndices = List.copyOf(es.indices().get(g -> g.index(id + "-w-*")).result().keySet());
        es.indices().delete(d -> d.index(warmIndices));
        RebuildThroughput.awaitNoMerges(es);

        int rounds = rounds();
        List<ProjectorRun> projectorRuns = new ArrayList<>();
        List<BaselineChild.Run> baselineRuns = new ArrayList<>();
        try {
            for (int r = 0; r < rounds; r++) {
                // Alternating which side goes first: the node, the page cache and the machine drift within a run.
                boolean projectorFirst = r % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    RebuildThroughput.awaitNoMerges(es);
                    if ((k == 0) == projectorFirst) {
                        System.out.printf("round %d: the projector...%n", r + 1);
                        projectorRuns.add(runProjector(jar, heap, kafka, registryUrl, esUrl, id, topic, r, n));
                    } else {
                        System.out.printf("round %d: BulkIngester with the same documents, in a fresh JVM...%n", r + 1);
                        var indices = io.eventflow.aggregate.AggregateIndices.of(id + "-b" + r + "-",
                                io.eventflow.aggregate.AggregateTypes.of(Payments.TYPE));
                        indices.ensure(es, 0);
                        baselineRuns.add(BaselineChild.run(baselineFile, BATCH, IN_FLIGHT, n, indices.eventsAlias(),
                                indices.alias("payments")));
                    }
                    // Leave the node as we found it: two million documents per run add up.
                    deleteIndices(es, id + "-p" + r + "-*," + id + "-b" + r + "-*");
                }
                System.out.printf("round %d: projector %,.0f events/s, BulkIngester %,.0f events/s, ratio %.3f%n", r + 1,
                        projectorRuns.get(r).t().rate(), n / baselineRuns.get(r).seconds(),
                        projectorRuns.get(r).t().rate() / (n / baselineRuns.get(r).seconds()));
            }
        } finally {
            // About a gigabyte for a million events.
            java.nio.file.Files.deleteIfExists(baselineFile);
        }
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ratios[r] = projectorRuns.get(r).t().rate() / (n / baselineRuns.get(r).seconds());
        }
        int median = medianIndex(ratios);
        ChildService.Timing t = projectorRuns.get(median).t();

        // Diagnostic, not the target's baseline: the same documents in the order the projector writes
        // them (each batch's events, then its payments' current documents), paced at the projector's
        // rate, to see what Elasticsearch pays per event at that rate. Unpaced, that order cost it the
        // same as the baseline's. This JVM's client is warm by now, so only its Elasticsearch line compares.
        RebuildThroughput.awaitNoMerges(es);
        System.out.printf("running BulkIngester in the projector's order, paced at %,.0f events/s (diagnostic)...%n",
                t.rate());
        var indicesInOrder = io.eventflow.aggregate.AggregateIndices.of(id + "-o-",
                io.eventflow.aggregate.AggregateTypes.of(io.eventflow.payments.Payments.TYPE));
        indicesInOrder.ensure(es, 0);
        double pace = t.rate();
        Baseline.Result inOrder = Baseline.run(es, BATCH, IN_FLIGHT, ingester -> {
            long start = System.nanoTime();
            long sent = 0;
            for (Object o : interleaved) {
                if (o instanceof EventDocument d) {
                    ingester.add(op -> op.create(c -> c.index(indicesInOrder.eventsAlias()).id(d.eventId()).routing(d.aggregateId()).document(d)));
                    if (++sent % 1000 == 0) {
                        long due = start + (long) (sent / pace * 1e9);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                    }
                } else {
                    PaymentState v = ((Current) o).state();
                    var doc = ProjectionDocuments.document(Payments.TYPE, v, ((Current) o).position());
                    ingester.add(op -> op.index(x -> x.index(indicesInOrder.alias("payments")).id(v.paymentId())
                            .version(v.version()).versionType(VersionType.External).document(doc)));
                }
            }
        });
        deleteIndices(es, id + "-*");
        ElasticsearchClients.close(es);

        ProcessStats.deleteTopics(kafka, id + "-");
        System.out.println();
        System.out.println("=== projector throughput (events + payments read model) ===");
        System.out.printf("events                         : %,d (%,d payments; %,d event + %,d payment documents)%n", n,
                views.size(), eventDocs, views.size());
        System.out.printf("rounds                         : %d, alternating which side goes first (the projector in rounds 1, 3, ...)%n",
                rounds);
        for (int r = 0; r < rounds; r++) {
            ProjectorRun p = projectorRuns.get(r);
            BaselineChild.Run b = baselineRuns.get(r);
            System.out.printf("round %d                        : projector %,.0f events/s (%.1f s), BulkIngester %,.0f events/s "
                    + "(%.1f s, %,d requests), ratio %.3f%s%n", r + 1, p.t().rate(), p.t().seconds(), n / b.seconds(),
                    b.seconds(), b.requests(), ratios[r], r == median ? "  <- median" : "");
            System.out.printf("  CPU, projector side          : %s%n", p.t().cpuShare().replace("\n", "\n  "));
            System.out.printf("  CPU, BulkIngester side       : %s%n", b.cpuShare().replace("\n", "\n  "));
            System.out.printf("  projector bulks              : %,.0f requests, %.0f events per batch on average, %.0f ms mean "
                    + "latency; %,.0f fetch responses (%,.0f records per fetch); peak RSS %d MiB; %.2f cores%n",
                    p.bulks(), p.bulkEvents(), p.bulks() == 0 ? 0 : p.bulkSeconds() / p.bulks() * 1000, p.fetches(),
                    p.fetches() == 0 ? 0 : p.fetchedRecords() / p.fetches(), p.t().peakRssKb() / 1024, p.t().cores());
        }
        System.out.printf("batching                       : %d events per bulk at most, %d bulks in flight (both sides); "
                + "the projector with -Xmx%s, BulkIngester in a fresh JVM with -Xmx4g%n", BATCH, IN_FLIGHT, heap);
        System.out.printf("diagnostic: BulkIngester in the projector's order, paced (%,d documents, client warm): %,.0f events/s%n",
                interleaved.size(), n / inOrder.seconds());
        System.out.printf("CPU, diagnostic side           : %s%n", inOrder.cpuShare(n));
        System.out.printf("median ratio projector / BulkIngester : %.3f (rounds: %s)%n", ratios[median],
                java.util.Arrays.toString(java.util.Arrays.stream(ratios).mapToObj(x -> String.format("%.3f", x)).toArray()));
        System.out.printf("target ratio 0.9 (median)      : %s%n", ratios[median] >= 0.9 ? "met" : "NOT met");
    }

    /** What one projector run measured: its timing and what its Prometheus endpoint said. */
    private record ProjectorRun(ChildService.Timing t, double bulks, double bulkEvents, double bulkSeconds,
            double fetches, double fetchedRecords) {
    }

    /** The projector as its own JVM into fresh indices ({@code <id>-p<round>-}), with its own group. */
    private static ProjectorRun runProjector(Path jar, String heap, String kafka, String registryUrl, String esUrl,
            String id, String topic, int round, int n) throws Exception {
        int metricsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            metricsPort = s.getLocalPort();
        }
        String group = id + "-projector-" + round;
        Map<String, String> config = new java.util.HashMap<>(Map.of(
                "bootstrap.servers", kafka, "group.id", group, "schema.registry.url", registryUrl,
                "elasticsearch.url", esUrl, "elasticsearch.index.prefix", id + "-p" + round + "-",
                "elasticsearch.index.replicas", "0", "events.topic", topic, "dead.letter.topic", id + "-dlq",
                "metrics.port", String.valueOf(metricsPort), "batch.max.events", String.valueOf(BATCH)));
        config.put("aggregate.types", "payments");
        ChildService projector = new ChildService(jar, heap, config, Path.of("bench", "target", id), "projector-" + round);
        ChildService.Timing t;
        String scrape;
        try {
            t = projector.awaitCommitted(kafka, group, n);
            scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        } finally {
            projector.stop();
        }
        return new ProjectorRun(t, metric(scrape, "eventflow_projector_bulk_latency_seconds_count"),
                metric(scrape, "eventflow_projector_bulk_events_sum") / metric(scrape, "eventflow_projector_bulk_events_count"),
                metric(scrape, "eventflow_projector_bulk_latency_seconds_sum"),
                consumerTotal(scrape, "kafka_consumer_fetch_manager_fetch_total"),
                consumerTotal(scrape, "kafka_consumer_fetch_manager_records_consumed_total"));
    }

    /** {@code BENCH_ROUNDS} (default 3): how many alternating rounds a benchmark runs. */
    static int rounds() {
        int rounds = Integer.parseInt(System.getenv().getOrDefault("BENCH_ROUNDS", "3"));
        if (rounds < 1) {
            throw new IllegalArgumentException("BENCH_ROUNDS must be at least 1, got " + rounds);
        }
        return rounds;
    }

    /** The index of the median of {@code values} (the lower one of the middle two for an even count). */
    static int medianIndex(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingDouble(i -> values[i]));
        return order[(values.length - 1) / 2];
    }

    static void deleteIndices(co.elastic.clients.elasticsearch.ElasticsearchClient es, String pattern) throws Exception {
        List<String> found = List.copyOf(es.indices().get(g -> g.index(pattern).allowNoIndices(true)
                .ignoreUnavailable(true)).result().keySet());
        if (!found.isEmpty()) {
            es.indices().delete(d -> d.index(found));
        }
    }

    /** A payment's state after an event, and that event's position: its document as the projector writes it. */
    private record Current(PaymentState state, Position position) {
    }

    /**
     * A consumer total: its client-level line, or, where Micrometer kept only the per-topic lines (it
     * drops a name's less-tagged lines), their sum.
     */
    private static double consumerTotal(String scrape, String name) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(scrape);
        double client = 0;
        double perTopic = 0;
        while (m.find()) {
            double v = Double.parseDouble(m.group(2));
            if (m.group(1) != null && m.group(1).contains("topic=")) {
                perTopic += v;
            } else {
                client += v;
            }
        }
        return client > 0 ? client : perTopic;
    }

    private static double metric(String scrape, String name) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(scrape);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }

    /**
     * Produces the events; fills {@code events}, the final {@code views}, and {@code interleaved}: the
     * documents in the order a projector writes them, per {@link #BATCH} events those events and then
     * the current document of each payment they touched. Every document holds the topic position
     * Kafka gave its event (a payment's, its last event's), as the projector's do.
     */
    private static double preProduce(String kafka, String registryUrl, String topic, int n, List<EventDocument> events,
            Map<String, Current> views, List<Object> interleaved) throws Exception {
        EventLoad.Produced produced = EventLoad.produce(kafka, registryUrl, topic, n);
        Position[] at = produced.positions();
        Map<String, Current> touched = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            EventEnvelope e = EventLoad.event(i, produced.t0());
            String id = e.getAggregateId();
            EventDocument doc = ProjectionDocuments.event(e, at[i]);
            events.add(doc);
            Current before = views.get(id);
            Current view = new Current(ProjectionDocuments.fold(Payments.TYPE, before == null ? null : before.state(), e),
                    at[i]);
            views.put(id, view);
            interleaved.add(doc);
            touched.put(id, view);
            if ((i + 1) % BATCH == 0 || i == n - 1) {
                interleaved.addAll(touched.values());
                touched.clear();
            }
        }
        return produced.averageBytes();
    }
}
