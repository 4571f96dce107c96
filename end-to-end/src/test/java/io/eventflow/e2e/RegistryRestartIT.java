package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.KafkaTopics;
import org.apache.kafka.clients.admin.AdminClientConfig;
import io.eventflow.schemas.serde.TopicPolicy;
import io.eventflow.schemas.serde.RestSchemaRegistryClient;
import io.eventflow.schemas.serde.SchemaRegistryException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The schema registry keeps its schemas across a restart (bin/stack stores them in a file, ADR
 * 0009): records written before the restart decode with a new client that has nothing cached, the
 * same schema keeps its id, a new schema version gets a fresh id (never one handed out before) and
 * the BACKWARD compatibility rule still refuses an incompatible version. With Apicurio's in-memory
 * store every old record would be undecodable after the restart.
 */
class RegistryRestartIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String topic = "it-" + id + "-events";
    private final String probeSubject = "it-" + id + "-probe-value";
    private final TestServers servers = TestServers.get();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        TestCleanup.closeAll(closeables);
        TestCleanup.deleteTopics(servers.kafka(), "it-" + id + "-");
        // The registry now outlives the test: drop this test's subjects (soft, then permanently).
        try {
            for (String subject : List.of(topic + "-value", probeSubject)) {
                registryCall("DELETE", "subjects/" + subject);
                registryCall("DELETE", "subjects/" + subject + "?permanent=true");
            }
        } catch (RuntimeException e) {
            // best effort, like TestCleanup
        }
    }

    @Test
    void recordsWrittenBeforeARegistryRestartDecodeAfterItAndNewSchemasGetFreshIds() throws Exception {
        String stack = System.getenv("EVENTFLOW_STACK");
        assertThat(stack).as("EVENTFLOW_STACK (bin/test sets it) to stop and start the registry").isNotBlank();
        KafkaTopics.ensure(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka()),
                Map.of(topic, TopicPolicy.events(-1)), 3, (short) 1);

        // Before: records through the project's serializer, and a probe schema only this test knows.
        RestSchemaRegistryClient before = client();
        List<EventEnvelope> sent = new ArrayList<>(produce(before, 30));
        Schema probeV1 = probe(false, false);
        int probeV1Id = before.register(probeSubject, probeV1);
        List<ConsumerRecord<byte[], byte[]>> oldRecords = new TopicReader(servers.kafka()).readAll(topic);
        assertThat(oldRecords).hasSize(sent.size());
        Set<Integer> idsBefore = new TreeSet<>(idsOf(oldRecords));
        assertThat(idsBefore).as("one envelope schema").hasSize(1);
        int envelopeId = idsBefore.iterator().next();
        idsBefore.add(probeV1Id);

        ProjectorIT.run(stack, "stop", "registry");
        ProjectorIT.run(stack, "start", "registry");

        // After, first of all (nothing registered yet): the old records decode with a client that
        // has nothing cached, so every schema comes from the restarted registry.
        RestSchemaRegistryClient after = client();
        var deserializer = new AvroDeserializer<>(after, EventEnvelope.class);
        closeables.add(deserializer);
        List<EventEnvelope> decoded = oldRecords.stream().map(r -> deserializer.deserialize(topic, r.value())).toList();
        assertThat(decoded).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(after.byId(probeV1Id)).isEqualTo(probeV1);

        // The same schema keeps its id: new producers write what old consumers already know.
        assertThat(after.register(topic + "-value", EventEnvelope.getClassSchema())).isEqualTo(envelopeId);
        sent.addAll(produce(client(), 10));
        List<ConsumerRecord<byte[], byte[]>> all = new TopicReader(servers.kafka()).readAll(topic);
        assertThat(idsOf(all)).containsOnly(envelopeId);
        RestSchemaRegistryClient fresh = client();
        var freshDeserializer = new AvroDeserializer<>(fresh, EventEnvelope.class);
        closeables.add(freshDeserializer);
        assertThat(all.stream().map(r -> freshDeserializer.deserialize(topic, r.value())).toList())
                .containsExactlyInAnyOrderElementsOf(sent);

        // A new version gets a fresh id, above every id handed out before the restart.
        int probeV2Id = after.register(probeSubject, probe(true, false));
        assertThat(probeV2Id).isGreaterThan(idsBefore.stream().mapToInt(Integer::intValue).max().orElseThrow());
        assertThat(registryCall("GET", "subjects/" + probeSubject + "/versions").body()).isEqualTo("[1,2]");

        // BACKWARD still holds: a field without a default cannot read the old records.
        assertThatThrownBy(() -> after.register(probeSubject, probe(true, true)))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(409));
        assertThat(registryCall("GET", "config").body()).contains("BACKWARD");
    }

    private RestSchemaRegistryClient client() {
        RestSchemaRegistryClient c = new RestSchemaRegistryClient(servers.schemaRegistry(), TIMEOUT);
        closeables.add(c);
        return c;
    }

    /** {@code count} events through a new producer with the project's serializer (auto-register). */
    private List<EventEnvelope> produce(RestSchemaRegistryClient registry, int count) throws Exception {
        List<EventEnvelope> out = new ArrayList<>();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new AvroSerializer<EventEnvelope>(registry, true))) {
            for (int i = 0; i < count; i++) {
                String paymentId = "pay-" + UUID.randomUUID();
                Object payload = switch (i % 3) {
                    case 0 -> new PaymentProcessed(paymentId, 1_000L + i, "EUR", "org-1", "u-1", null);
                    case 1 -> new PaymentRefunded(paymentId, 100L);
                    default -> new PaymentFailed(paymentId, "declined");
                };
                EventEnvelope e = ProjectorHarness.event(paymentId, 1, payload, Map.of("n", Integer.toString(i)));
                // The wire format keeps milliseconds: compare what can come back.
                e.setTimestamp(Instant.now().truncatedTo(ChronoUnit.MILLIS));
                producer.send(new ProducerRecord<>(topic, paymentId, e)).get();
                out.add(e);
            }
        }
        return out;
    }

    /** A record schema unique to this test: its first version gets an id never handed out before. */
    private Schema probe(boolean withB, boolean withC) {
        var fields = SchemaBuilder.record("Probe" + id.replace("-", "")).namespace("io.eventflow.it").fields()
                .requiredString("a");
        if (withB) {
            fields = fields.name("b").type().stringType().stringDefault("b");
        }
        if (withC) {
            fields = fields.requiredString("c");
        }
        return fields.endRecord();
    }

    private static List<Integer> idsOf(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> ByteBuffer.wrap(r.value(), 1, 4).getInt()).toList();
    }

    private HttpResponse<String> registryCall(String method, String path) {
        String base = servers.schemaRegistry().endsWith("/") ? servers.schemaRegistry() : servers.schemaRegistry() + "/";
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        }
    }
}
