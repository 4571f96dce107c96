package io.eventflow.e2e;

import static org.awaitility.Awaitility.await;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.search.Hit;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.ElasticsearchErrors;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.projection.Projector;
import io.eventflow.projection.ProjectorConfig;
import io.eventflow.projection.ProjectorMain;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.TopicPolicy;
import io.eventflow.schemas.serde.RestSchemaRegistryClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A projector under test against the real servers: its own events topic, indices and group; events
 * produced straight to the topic (no command-service), and the expected read model computed by
 * folding what was produced.
 */
final class ProjectorHarness implements AutoCloseable {
    static final int PARTITIONS = 4;

    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String eventsTopic = "it-" + id + "-events";
    final String deadLetterTopic = "it-" + id + "-events-dlq";
    final String indexPrefix = "it-" + id + "-";
    final String groupId = "it-" + id + "-projector";
    final EventStoreIndices indices = io.eventflow.aggregate.AggregateIndices.of(indexPrefix, io.eventflow.aggregate.AggregateTypes.of(io.eventflow.payments.Payments.TYPE));
    final TestServers servers = TestServers.get();
    final ElasticsearchClient es = ElasticsearchClients.connect(servers.elasticsearch());
    private final RestSchemaRegistryClient registry = new RestSchemaRegistryClient(servers.schemaRegistry(), Duration.ofSeconds(10));
    private final KafkaProducer<String, EventEnvelope> producer;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ChildJvm jvms = new ChildJvm();
    /** Per payment: status, amount, refunded total and version after the events produced so far. */
    final Map<String, Expected> expected = new HashMap<>();
    final List<String> eventIds = new ArrayList<>();

    record Expected(String status, long amount, long refunded, long version) {
    }

    ProjectorHarness() {
        KafkaTopics.ensure(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka()),
                Map.of(eventsTopic, TopicPolicy.events(-1), deadLetterTopic, Map.of()), PARTITIONS, (short) 1);
        producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new AvroSerializer<EventEnvelope>(registry, true));
    }

    Map<String, String> config() {
        Map<String, String> c = new HashMap<>();
        c.put(ProjectorConfig.BOOTSTRAP_SERVERS, servers.kafka());
        c.put(ProjectorConfig.GROUP_ID, groupId);
        c.put(ProjectorConfig.SCHEMA_REGISTRY_URL, servers.schemaRegistry());
        c.put(ProjectorConfig.ELASTICSEARCH_URL, servers.elasticsearch());
        c.put(ProjectorConfig.INDEX_PREFIX, indexPrefix);
        c.put(ProjectorConfig.INDEX_REPLICAS, "0");
        c.put(ProjectorConfig.EVENTS_TOPIC, eventsTopic);
        c.put(ProjectorConfig.DEAD_LETTER_TOPIC, deadLetterTopic);
        // A payments harness: the other wired types' default topics are shared, not this test's.
        c.put(ProjectorConfig.AGGREGATE_TYPES, "payments");
        c.put(ProjectorConfig.METRICS_PORT, "-1");
        c.put(ProjectorConfig.BATCH_MAX_EVENTS, "500");
        c.put(ProjectorConfig.RETRY_BACKOFF_MAX_MS, "2000");
        // A killed worker's partitions move on after 6 s instead of 45 s.
        c.put("consumer.session.timeout.ms", "6000");
        c.put("consumer.heartbeat.interval.ms", "1500");
        return c;
    }

    Projector start(MeterRegistry metrics) {
        return start(metrics, Map.of());
    }

    /** A projector with {@code overrides} on top of {@link #config()}. */
    Projector start(MeterRegistry metrics, Map<String, String> overrides) {
        Map<String, String> c = config();
        c.putAll(overrides);
        Projector p = Projector.start(new ProjectorConfig(c), metrics);
        closeables.add(p);
        return p;
    }

    /** A projector in its own JVM, so that it can be killed with SIGKILL. */
    Process startProcess(String name) throws IOException {
        return startProcess(name, Map.of());
    }

    /** A projector in its own JVM with {@code overrides} on top of {@link #config()}. */
    Process startProcess(String name, Map<String, String> overrides) throws IOException {
        Map<String, String> c = config();
        c.putAll(overrides);
        return jvms.start(ProjectorMain.class, id + "-" + name, c);
    }

    /**
     * A transactional producer of events to this harness's topic, as the command-service writes
     * them (its transactions leave commit markers in the topic); the caller closes it.
     */
    KafkaProducer<String, EventEnvelope> transactionalProducer() {
        KafkaProducer<String, EventEnvelope> p = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-" + id + "-tx"),
                new StringSerializer(), new AvroSerializer<EventEnvelope>(registry, true));
        p.initTransactions();
        return p;
    }

    /** The next event of payment {@code i}: processed first, then refunds, or a failure for every 10th. */
    EventEnvelope next(int i) {
        String paymentId = "pay-" + i;
        Expected e = expected.get(paymentId);
        long version = e == null ? 1 : e.version() + 1;
        Object payload;
        Expected after;
        if (e == null) {
            payload = new PaymentProcessed(paymentId, 10_000L, "EUR", "org-" + (i % 3), "u-" + i, null);
            after = new Expected("processed", 10_000, 0, 1);
        } else if (i % 10 == 0 && e.status().equals("processed") && e.refunded() == 0) {
            payload = new PaymentFailed(paymentId, "declined");
            after = new Expected("failed", e.amount(), 0, version);
        } else if (e.status().equals("failed")) {
            return null;
        } else {
            payload = new PaymentRefunded(paymentId, 1_000L);
            long refunded = e.refunded() + 1_000;
            after = new Expected(refunded >= e.amount() ? "refunded" : "processed", e.amount(), refunded, version);
        }
        expected.put(paymentId, after);
        return event(paymentId, version, payload, Map.of());
    }

    static EventEnvelope event(String paymentId, long version, Object payload, Map<String, String> extra) {
        return EventEnvelope.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setAggregateId(paymentId).setAggregateType("Payment")
                .setEventType(payload.getClass().getSimpleName()).setVersion(version).setTimestamp(Instant.now())
                .setCorrelationId(UUID.randomUUID().toString()).setCausationId(null)
                .setMetadata(Metadata.newBuilder().setOrganizationId("org-1").setUserId("u-1").setExtra(Map.copyOf(extra)).build())
                .setPayload(payload).build();
    }

    void send(EventEnvelope e) {
        eventIds.add(e.getEventId());
        producer.send(new ProducerRecord<>(eventsTopic, e.getAggregateId(), e));
    }

    /** Rounds of one event per payment; {@code pause} between slices of 200 to make a steady load. */
    void produce(int payments, int rounds, Duration pause) throws InterruptedException {
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < payments; i++) {
                EventEnvelope e = next(i);
                if (e != null) {
                    send(e);
                }
                if (i % 200 == 199 && !pause.isZero()) {
                    Thread.sleep(pause.toMillis());
                }
            }
        }
        producer.flush();
    }

    void flush() {
        producer.flush();
    }

    long eventCount() throws IOException {
        // A projector started as a child process creates the index behind the alias itself: the alias
        // is visible before the index's primary has started, and a count then answers 503 for a moment.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                es.indices().refresh(r -> r.index(indices.eventsAlias()).ignoreUnavailable(true).allowNoIndices(true));
                return es.count(c -> c.index(indices.eventsAlias()).ignoreUnavailable(true).allowNoIndices(true)).count();
            } catch (IOException | RuntimeException e) {
                if (!ElasticsearchErrors.isTransient(e) || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Every payment document, by id. */
    Map<String, PaymentView> views() throws IOException {
        es.indices().refresh(r -> r.index(indices.alias("payments")));
        Map<String, PaymentView> out = new HashMap<>();
        String after = null;
        while (true) {
            String a = after;
            var page = es.search(s -> {
                s.index(indices.alias("payments")).size(5_000).sort(o -> o.field(f -> f.field("paymentId").order(SortOrder.Asc)));
                if (a != null) {
                    s.searchAfter(v -> v.stringValue(a));
                }
                return s;
            }, PaymentView.class);
            List<Hit<PaymentView>> hits = page.hits().hits();
            hits.forEach(h -> out.put(h.source().paymentId(), h.source()));
            if (hits.size() < 5_000) {
                return out;
            }
            after = hits.get(hits.size() - 1).source().paymentId();
        }
    }

    /** Waits until the event store holds at least as many documents as events were produced. */
    void awaitAllIndexed(Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofSeconds(1)).until(() -> eventCount() >= eventIds.size());
    }

    @Override
    public void close() {
        jvms.close();
        TestCleanup.closeAll(closeables);
        producer.close();
        registry.close();
        TestCleanup.deleteIndices(es, indexPrefix);
        ElasticsearchClients.close(es);
        TestCleanup.deleteTopics(servers.kafka(), "it-" + id + "-");
    }
}
