package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import co.elastic.clients.elasticsearch._types.VersionType;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDigest;
import io.eventflow.eventstore.EventIds;
import io.eventflow.eventstore.Position;
import io.eventflow.projection.ProjectionDocuments;
import io.eventflow.projection.ProjectorCli;
import io.eventflow.projection.ProjectorConfig;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import io.eventflow.schemas.serde.RestSchemaRegistryClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, the projector's side: an event id taken by a different event, an event the event store
 * refuses for good, and a read-model document behind its events (written over, or deleted so that a
 * tombstone remains), and an events index from before digests. The event store never silently
 * drops an event, and the read model is never folded over an event the store does not hold.
 */
class EventStoreIntegrityIT {
    private static final Duration WAIT = Duration.ofMinutes(2);
    /** Short, so that a gap that stays open is dead-lettered quickly. */
    private static final Map<String, String> CONFIG = Map.of(ProjectorConfig.GAP_WAIT_MS, "2000");

    private ProjectorHarness harness;
    private SimpleMeterRegistry metrics;
    private RestSchemaRegistryClient registry;

    @BeforeEach
    void setUp() {
        harness = new ProjectorHarness();
        metrics = new SimpleMeterRegistry();
        registry = new RestSchemaRegistryClient(harness.servers.schemaRegistry(), Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() {
        harness.close();
        registry.close();
    }

    /** An event as the command-service now writes it: its id from (type, aggregate, version). */
    private static EventEnvelope event(String paymentId, long version, Object payload, String causationId) {
        EventEnvelope e = ProjectorHarness.event(paymentId, version, payload, Map.of());
        return EventEnvelope.newBuilder(e).setEventId(EventIds.of("Payment", paymentId, version))
                .setCausationId(causationId).build();
    }

    private static PaymentProcessed processed(String id) {
        return new PaymentProcessed(id, 10_000L, "EUR", "org-1", "u-1", null);
    }

    private void send(EventEnvelope... events) {
        for (EventEnvelope e : events) {
            harness.send(e);
        }
        harness.flush();
    }

    @Test
    void aDifferentEventUnderATakenIdIsDeadLetteredAndCountedAndAReplayIsANoOp() throws Exception {
        harness.start(metrics, CONFIG);
        EventEnvelope first = event("pay-a", 1, processed("pay-a"), "cmd-1");
        // Same id, another event: what the old id rule (from the commandId alone) produced.
        EventEnvelope impostor = EventEnvelope.newBuilder(event("pay-a", 2, new PaymentRefunded("pay-a", 100L), "cmd-1"))
                .setEventId(first.getEventId()).build();
        send(first, impostor);

        List<ConsumerRecord<byte[], byte[]>> letters = awaitLetters(1);
        assertThat(header(letters.get(0), DeadLetterHeaders.REASON)).contains("integrity error")
                .contains(first.getEventId()).contains("different event");
        assertThat(decode(letters.get(0))).isEqualTo(impostor);
        assertThat(counter("eventflow.projector.integrity.errors", "events")).isEqualTo(1);
        var stored = harness.es.get(g -> g.index(harness.indices.eventsAlias()).id(first.getEventId())
                .routing(first.getAggregateId()), Map.class);
        assertThat(stored.source()).containsEntry("version", 1).containsEntry("eventType", "PaymentProcessed")
                .containsKey(EventDigest.FIELD);
        // The read model was not folded over the impostor.
        await().atMost(WAIT).until(() -> view("pay-a") != null);
        assertThat(view("pay-a").version()).isEqualTo(1);
        assertThat(view("pay-a").refundAmount()).isZero();

        // The same event again (same digest): a silent no-op.
        double noopsBefore = counter("eventflow.projector.noops", "events");
        send(first);
        await().atMost(WAIT).until(() -> counter("eventflow.projector.noops", "events") > noopsBefore);
        assertThat(readLetters()).hasSize(1);
        assertThat(counter("eventflow.projector.integrity.errors", "events")).isEqualTo(1);
        assertThat(metrics.get("eventflow.projector.dead.lettered").counter().count()).isEqualTo(1);
        assertThat(harness.eventCount()).isEqualTo(1);
    }

    @Test
    void oneCommandIdOnTwoAggregatesGivesTwoEventDocuments() throws Exception {
        harness.start(metrics, CONFIG);
        EventEnvelope c = event("pay-c", 1, processed("pay-c"), "cmd-shared");
        EventEnvelope d = event("pay-d", 1, processed("pay-d"), "cmd-shared");
        send(c, d);
        await().atMost(WAIT).until(() -> harness.eventCount() == 2);
        for (EventEnvelope e : List.of(c, d)) {
            var doc = harness.es.get(g -> g.index(harness.indices.eventsAlias()).id(e.getEventId())
                    .routing(e.getAggregateId()), Map.class);
            assertThat(doc.found()).isTrue();
            assertThat(doc.source()).containsEntry("aggregateId", e.getAggregateId())
                    .containsEntry("causationId", "cmd-shared");
        }
        await().atMost(WAIT).until(() -> view("pay-c") != null && view("pay-d") != null);
        assertThat(readLetters()).isEmpty();
    }

    @Test
    void anEventTheEventStoreRefusesIsDeadLetteredAndNotFoldedNorAreTheLaterOnes() throws Exception {
        harness.start(metrics, CONFIG);
        // The projector created the index; a field mapping that refund amounts cannot fit makes
        // Elasticsearch refuse every refund for good (400), as a mapping conflict would.
        await().atMost(WAIT).until(() -> harness.es.indices().existsAlias(a -> a.name(harness.indices.eventsAlias()))
                .value());
        harness.es.indices().putMapping(m -> m.index(harness.indices.eventsAlias()).withJson(new StringReader(
                "{\"properties\":{\"eventData\":{\"properties\":{\"refundAmount\":{\"type\":\"boolean\"}}}}}")));

        EventEnvelope v1 = event("pay-e", 1, processed("pay-e"), "cmd-1");
        EventEnvelope v2 = event("pay-e", 2, new PaymentRefunded("pay-e", 500L), "cmd-2");
        EventEnvelope v3 = event("pay-e", 3, new PaymentFailed("pay-e", "declined"), "cmd-3");
        EventEnvelope other = event("pay-x", 1, processed("pay-x"), "cmd-4");
        send(v1, v2, v3, other);

        List<ConsumerRecord<byte[], byte[]>> letters = awaitLetters(2);
        Map<Long, String> reasons = new HashMap<>();
        for (var letter : letters) {
            reasons.put(decode(letter).getVersion(), header(letter, DeadLetterHeaders.REASON));
        }
        assertThat(reasons.keySet()).containsExactlyInAnyOrder(2L, 3L);
        assertThat(reasons.get(2L)).contains("400");
        // v3 is in the event store, but the read model cannot take it without v2.
        assertThat(reasons.get(3L)).containsAnyOf("is not in the event store as itself", "versions [2]");
        await().atMost(WAIT).until(() -> harness.eventCount() == 3);
        assertThat(exists(v2)).isFalse();
        assertThat(exists(v3)).isTrue();

        await().atMost(WAIT).until(() -> view("pay-x") != null && view("pay-e") != null);
        PaymentView e = view("pay-e");
        assertThat(e.version()).isEqualTo(1);
        assertThat(e.status()).isEqualTo("processed");
        assertThat(e.refundAmount()).isZero();
        assertThat(e.refundCount()).isZero();

        // A rebuild of the read model from the topic agrees with the live one: it verifies and swaps.
        Map<String, String> config = new HashMap<>(harness.config());
        config.putAll(CONFIG);
        var out = new PrintWriter(new StringWriter(), true);
        assertThat(ProjectorCli.execute(config, Map.of(), out, out, "rebuild", "payments")).isZero();
        assertThat(harness.es.indices().getAlias(a -> a.name(harness.indices.alias("payments"))).result().keySet())
                .containsExactly(harness.indices.versionedIndex("payments", 2));
        assertThat(view("pay-e")).isEqualTo(e);
    }

    @Test
    void aDocumentForcedBehindIsFilledFromTheEventStoreAndEndsEqualToTheFoldOfAllEvents() throws Exception {
        harness.start(metrics, CONFIG);
        // pay-f has events with ids of the old rule (found by search), pay-g and pay-h ids of the new one.
        List<String> ids = List.of("pay-f", "pay-g", "pay-h");
        for (String id : ids) {
            boolean legacy = id.equals("pay-f");
            send(maybeLegacy(event(id, 1, processed(id), "c1-" + id), legacy),
                    maybeLegacy(event(id, 2, new PaymentRefunded(id, 100L), "c2-" + id), legacy),
                    maybeLegacy(event(id, 3, new PaymentRefunded(id, 200L), "c3-" + id), legacy));
        }
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> {
            PaymentView v = view(id);
            return v != null && v.version() == 3;
        }));
        PaymentView oldF = foldOfTopic().get("pay-f").get(0);
        PaymentView oldG = foldOfTopic().get("pay-g").get(0);
        String payments = harness.indices.alias("payments");
        // Written over with an older body: _version stays 3 (external_gte), or becomes 4 (internal).
        harness.es.index(i -> i.index(payments).id("pay-f").version(3L).versionType(VersionType.ExternalGte)
                .document(oldF));
        harness.es.index(i -> i.index(payments).id("pay-g").document(oldG));
        // Deleted: the tombstone keeps _version 4 for index.gc_deletes, so a write of version 4 gets 409.
        harness.es.delete(d -> d.index(payments).id("pay-h"));
        assertThat(view("pay-f").version()).isEqualTo(1);
        assertThat(view("pay-g").version()).isEqualTo(1);
        assertThat(view("pay-h")).isNull();

        send(maybeLegacy(event("pay-f", 4, new PaymentRefunded("pay-f", 300L), "c4"), true),
                maybeLegacy(event("pay-f", 5, new PaymentRefunded("pay-f", 400L), "c5"), true));
        send(event("pay-g", 4, new PaymentRefunded("pay-g", 300L), "c4"));
        send(event("pay-h", 4, new PaymentRefunded("pay-h", 300L), "c4"));

        await().atMost(WAIT).until(() -> view("pay-f") != null && view("pay-f").version() == 5
                && view("pay-g") != null && view("pay-g").version() == 4
                && view("pay-h") != null && view("pay-h").version() == 4);
        Map<String, List<PaymentView>> folds = foldOfTopic();
        for (String id : ids) {
            List<PaymentView> steps = folds.get(id);
            assertThat(view(id)).as(id).isEqualTo(steps.get(steps.size() - 1));
        }
        assertThat(view("pay-f").refundAmount()).isEqualTo(1_000);
        assertThat(metrics.get("eventflow.projector.gaps").counter().count()).isZero();
        assertThat(metrics.find("eventflow.projector.integrity.errors").counters()).isEmpty();
        assertThat(readLetters()).isEmpty();
    }

    @Test
    void anIndexFromBeforeDigestsTakesThemAndItsDocumentsCompareByTheirFields() throws Exception {
        // The events index as the previous version created it: no digest, metadata.extra an object.
        String old = harness.indices.versionedIndex("events", 1);
        harness.es.indices().create(c -> c.index(old).withJson(new StringReader("""
                {"aliases": {"%s": {"is_write_index": true}},
                 "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                 "mappings": {"dynamic": "strict", "properties": {
                   "eventId": {"type": "keyword"}, "aggregateId": {"type": "keyword"},
                   "aggregateType": {"type": "keyword"}, "eventType": {"type": "keyword"},
                   "version": {"type": "long"}, "timestamp": {"type": "date"},
                   "correlationId": {"type": "keyword"}, "causationId": {"type": "keyword"},
                   "position": {"properties": {"partition": {"type": "integer"}, "offset": {"type": "long"}}},
                   "eventData": {"type": "object", "dynamic": true},
                   "metadata": {"type": "object", "dynamic": "strict", "properties": {
                     "organizationId": {"type": "keyword"}, "userId": {"type": "keyword"},
                     "extra": {"type": "object", "dynamic": true}}}}}}""".formatted(harness.indices.eventsAlias()))));
        EventEnvelope v1 = event("pay-l", 1, processed("pay-l"), "cmd-1");
        @SuppressWarnings("unchecked")
        Map<String, Object> legacy = ElasticsearchClients.objectMapper().convertValue(ProjectionDocuments.event(v1),
                Map.class);
        legacy.remove(EventDigest.FIELD);
        legacy.remove("schemaVersion"); // nor the shape version
        legacy.remove("eventText"); // nor the payload's words
        harness.es.index(i -> i.index(old).id(v1.getEventId()).document(legacy));

        harness.start(metrics, CONFIG);
        // The same event again (its document has no digest: computed from its fields), and a new one.
        send(v1, event("pay-l", 2, new PaymentRefunded("pay-l", 100L), "cmd-2"));
        await().atMost(WAIT).until(() -> view("pay-l") != null && view("pay-l").version() == 2);
        assertThat(counter("eventflow.projector.noops", "events")).isEqualTo(1);
        assertThat(harness.eventCount()).isEqualTo(2);
        var v2 = harness.es.get(g -> g.index(old).id(EventIds.of("Payment", "pay-l", 2)).routing("pay-l"), Map.class);
        assertThat(v2.source()).containsKey(EventDigest.FIELD);
        assertThat(readLetters()).isEmpty();
        assertThat(metrics.find("eventflow.projector.integrity.errors").counters()).isEmpty();
    }

    private static EventEnvelope maybeLegacy(EventEnvelope e, boolean legacy) {
        return legacy ? EventEnvelope.newBuilder(e).setEventId(UUID.randomUUID().toString()).build() : e;
    }

    /** Per payment, the document after each of its events in the topic, folded as the projector does. */
    private Map<String, List<PaymentView>> foldOfTopic() {
        Map<String, List<PaymentView>> out = new HashMap<>();
        var records = new TopicReader(harness.servers.kafka()).readAll(harness.eventsTopic);
        records.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        for (var r : records) {
            EventEnvelope e = decode(r);
            List<PaymentView> steps = out.computeIfAbsent(e.getAggregateId(), k -> new ArrayList<>());
            PaymentView before = steps.isEmpty() ? null : steps.get(steps.size() - 1);
            steps.add(PaymentFolds.fold(before, e, new Position(r.topic(), r.partition(), r.offset())));
        }
        return out;
    }

    private EventEnvelope decode(ConsumerRecord<byte[], byte[]> r) {
        try (var decoder = new AvroDeserializer<>(registry, EventEnvelope.class)) {
            return decoder.deserialize(r.topic(), r.value());
        }
    }

    private PaymentView view(String id) {
        try {
            var r = harness.es.get(g -> g.index(harness.indices.alias("payments")).id(id), PaymentView.class);
            return r.found() ? r.source() : null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private boolean exists(EventEnvelope e) throws Exception {
        return harness.es.exists(g -> g.index(harness.indices.eventsAlias()).id(e.getEventId())
                .routing(e.getAggregateId())).value();
    }

    private List<ConsumerRecord<byte[], byte[]>> readLetters() {
        return new TopicReader(harness.servers.kafka()).readAll(harness.deadLetterTopic);
    }

    private List<ConsumerRecord<byte[], byte[]>> awaitLetters(int n) {
        List<ConsumerRecord<byte[], byte[]>> letters = await().atMost(WAIT).until(this::readLetters,
                l -> l.size() >= n);
        assertThat(letters).hasSize(n);
        return letters;
    }

    private double counter(String name, String index) {
        Counter c = metrics.find(name).tag("index", index).counter();
        return c == null ? 0 : c.count();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
