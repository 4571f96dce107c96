package io.eventflow.bench;

import co.elastic.clients.elasticsearch._types.VersionType;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.payments.PaymentState;
import io.eventflow.payments.Payments;
import io.eventflow.projection.ProjectionDocuments;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.TopicPolicy;
import io.eventflow.schemas.serde.RestSchemaRegistryClient;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Projector throughput, side by side with the Elasticsearch client's own bulk helper
 * ({@code BulkIngester}) sending the same documents from memory, in one run.
 *
 * <p>Pre-produces N events (per payment one PaymentProcessed and four PaymentRefunded, keyed by
 * payment) and keeps the documents they stand for: every event document and the final payment
 * document per payment. A throwaway projector warms Elasticsearch up. Then it runs the projector as
 * its own JVM with {@code -Xmx256m} into fresh indices, timed from its first committed offset to the
 * last. Then it runs BulkIngester with the projector's batch size and concurrency into other fresh
 * indices, and, as a diagnostic, once more in the projector's order at the projector's rate. Each
 * side reports where the CPU went ({@link CpuShare}).
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
        Map<String, PaymentState> views = new LinkedHashMap<>(n / 5 * 2);
        List<Object> interleaved = new ArrayList<>(n + n / 4);
        double avg = preProduce(kafka, registryUrl, topic, n, events, views, interleaved);
        System.out.printf("  average record %.0f B; %,d event documents and %,d payment documents to write%n", avg,
                events.size(), views.size());

        // A fresh node indexes its first documents at a fraction of its steady rate (its JIT is cold),
        // which would be charged to whichever side went first. So a throwaway projector (its own JVM,
        // its own group and indices) warms the node up first; this JVM's BulkIngester path stays as cold
        // as the measured projector's JVM, so neither client starts warm.
        var es = ElasticsearchClients.connect(esUrl);
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

        int metricsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            metricsPort = s.getLocalPort();
        }
        Map<String, String> config = new java.util.HashMap<>(Map.of(
                "bootstrap.servers", kafka, "group.id", id + "-projector", "schema.registry.url", registryUrl,
                "elasticsearch.url", esUrl, "elasticsearch.index.prefix", id + "-p-", "elasticsearch.index.replicas", "0",
                "events.topic", topic, "dead.letter.topic", id + "-dlq", "metrics.port", String.valueOf(metricsPort),
                "batch.max.events", String.valueOf(BATCH)));
        config.put("aggregate.types", "payments");
        ChildService projector = new ChildService(jar, heap, config, Path.of("bench", "target", id), "projector");
        ChildService.Timing t;
        String scrape;
        try {
            t = projector.awaitCommitted(kafka, id + "-projector", n);
            scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        } finally {
            projector.stop();
        }
        double bulkEvents = metric(scrape, "eventflow_projector_bulk_events_sum") / metric(scrape, "eventflow_projector_bulk_events_count");
        double bulks = metric(scrape, "eventflow_projector_bulk_latency_seconds_count");
        double bulkSeconds = metric(scrape, "eventflow_projector_bulk_latency_seconds_sum");
        // What the broker served the projector's consumer.
        double fetches = consumerTotal(scrape, "kafka_consumer_fetch_manager_fetch_total");
        double fetchedBytes = consumerTotal(scrape, "kafka_consumer_fetch_manager_bytes_consumed_total");
        double fetchedRecords = consumerTotal(scrape, "kafka_consumer_fetch_manager_records_consumed_total");

        RebuildThroughput.awaitNoMerges(es);
        System.out.println("running BulkIngester with the same documents from memory...");
        var indices = io.eventflow.aggregate.AggregateIndices.of(id + "-b-", io.eventflow.aggregate.AggregateTypes.of(io.eventflow.payments.Payments.TYPE));
        indices.ensure(es, 0);
        Baseline.Result base = ingest(es, indices, events, views);
        double baseSeconds = base.seconds();
        double baseRate = n / baseSeconds;
        String baseShare = base.cpuShare(n);
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
                    PaymentState v = (PaymentState) o;
                    var doc = ProjectionDocuments.document(Payments.TYPE, v);
                    ingester.add(op -> op.index(x -> x.index(indicesInOrder.alias("payments")).id(v.paymentId())
                            .version(v.version()).versionType(VersionType.External).document(doc)));
                }
            }
        });
        // Leave the node as we found it: two million documents per run add up.
        List<String> ours = List.copyOf(es.indices().get(g -> g.index(id + "-*")).result().keySet());
        es.indices().delete(d -> d.index(ours));
        ElasticsearchClients.close(es);

        ProcessStats.deleteTopics(kafka, id + "-");
        System.out.println();
        System.out.println("=== projector throughput (events + payments read model) ===");
        System.out.printf("events                         : %,d (%,d payments; %,d event + %,d payment documents)%n", n,
                views.size(), events.size(), views.size());
        System.out.printf("projector                      : %,.0f events/s (%.1f s from first commit to last; %.1f s incl. JVM start)%n",
                t.rate(), t.seconds(), t.totalSeconds());
        System.out.printf("BulkIngester, same documents   : %,.0f events/s (%.1f s, %,d requests)%n", baseRate, baseSeconds,
                base.requests());
        System.out.printf("ratio projector / BulkIngester : %.3f%n", t.rate() / baseRate);
        System.out.printf("projector bulks                : %,.0f requests, %.0f events per batch on average, %.0f ms mean latency%n",
                bulks, bulkEvents, bulks == 0 ? 0 : bulkSeconds / bulks * 1000);
        System.out.printf("batching                       : %d events per bulk at most, %d bulks in flight (both sides)%n",
                BATCH, IN_FLIGHT);
        System.out.printf("projector fetches              : %,.0f fetch responses, %,.0f records and %,.0f MiB consumed "
                + "(%,.0f records per fetch)%n", fetches, fetchedRecords, fetchedBytes / (1 << 20),
                fetches == 0 ? 0 : fetchedRecords / fetches);
        System.out.printf("projector peak RSS             : %d MiB (VmHWM, -Xmx%s)%n", t.peakRssKb() / 1024, heap);
        System.out.printf("projector CPU                  : %.2f cores on average; whole machine %.0f%% busy (%d cores)%n",
                t.cores(), t.machineBusy() * 100, Runtime.getRuntime().availableProcessors());
        System.out.printf("CPU, projector side            : %s%n", t.cpuShare());
        System.out.printf("CPU, BulkIngester side         : %s%n", baseShare);
        System.out.printf("diagnostic: BulkIngester in the projector's order, paced (%,d documents, client warm): %,.0f events/s%n",
                interleaved.size(), n / inOrder.seconds());
        System.out.printf("CPU, diagnostic side           : %s%n", inOrder.cpuShare(n));
        System.out.printf("target ratio 0.9               : %s%n", t.rate() / baseRate >= 0.9 ? "met" : "NOT met");
    }

    /** BulkIngester writing every event document, then every final payment document, into {@code indices}. */
    private static Baseline.Result ingest(co.elastic.clients.elasticsearch.ElasticsearchClient es,
            EventStoreIndices indices, List<EventDocument> events, Map<String, PaymentState> views) {
        return Baseline.run(es, BATCH, IN_FLIGHT, ingester -> {
            for (EventDocument d : events) {
                ingester.add(op -> op.create(c -> c.index(indices.eventsAlias()).id(d.eventId()).routing(d.aggregateId()).document(d)));
            }
            for (PaymentState v : views.values()) {
                var doc = ProjectionDocuments.document(Payments.TYPE, v);
                ingester.add(op -> op.index(x -> x.index(indices.alias("payments")).id(v.paymentId()).version(v.version())
                        .versionType(VersionType.External).document(doc)));
            }
        });
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
     * the current document of each payment they touched.
     */
    private static double preProduce(String kafka, String registryUrl, String topic, int n, List<EventDocument> events,
            Map<String, PaymentState> views, List<Object> interleaved) throws Exception {
        Map<String, PaymentState> touched = new LinkedHashMap<>();
        long bytes = 0;
        try (var registry = new RestSchemaRegistryClient(registryUrl, Duration.ofSeconds(10));
                var serializer = new AvroSerializer<EventEnvelope>(registry, true);
                var producer = new KafkaProducer<>(Map.<String, Object>of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka, ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 262_144),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
            Instant t0 = Instant.now();
            for (int i = 0; i < n; i++) {
                EventEnvelope e = event(i, t0);
                String id = e.getAggregateId();
                byte[] key = id.getBytes(StandardCharsets.UTF_8);
                byte[] value = serializer.serialize(topic, e);
                bytes += key.length + value.length;
                producer.send(new ProducerRecord<>(topic, key, value));
                EventDocument doc = ProjectionDocuments.event(e);
                events.add(doc);
                PaymentState view = ProjectionDocuments.fold(Payments.TYPE, views.get(id), e);
                views.put(id, view);
                interleaved.add(doc);
                touched.put(id, view);
                if ((i + 1) % BATCH == 0 || i == n - 1) {
                    interleaved.addAll(touched.values());
                    touched.clear();
                }
            }
            producer.flush();
        }
        return bytes / (double) n;
    }

    /** Event {@code i} of the benchmark load: per payment one PaymentProcessed, then four PaymentRefunded. */
    static EventEnvelope event(int i, Instant t0) {
        int payment = i / 5;
        int version = i % 5 + 1;
        String id = "pay-" + payment;
        Object payload = version == 1
                ? new PaymentProcessed(id, 100_000L, payment % 3 == 0 ? "USD" : "EUR", "org-" + (payment % 50), "u-" + (payment % 500), null)
                : new PaymentRefunded(id, 1_000L);
        return EventEnvelope.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setAggregateId(id).setAggregateType("Payment")
                .setEventType(payload.getClass().getSimpleName()).setVersion(version)
                .setTimestamp(t0.plusMillis(i)).setCorrelationId(UUID.randomUUID().toString())
                .setCausationId(UUID.randomUUID().toString())
                .setMetadata(Metadata.newBuilder().setOrganizationId("org-" + (payment % 50))
                        .setUserId("u-" + (payment % 500)).setExtra(Map.of("source", "bench")).build())
                .setPayload(payload).build();
    }
}
