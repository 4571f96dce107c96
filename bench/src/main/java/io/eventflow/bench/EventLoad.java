package io.eventflow.bench;

import io.eventflow.eventstore.Position;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.RestSchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The events the projector and rebuild benchmarks index: per payment one PaymentProcessed, then
 * four PaymentRefunded, keyed by payment. Event {@code i} is the same envelope every time it is
 * made within a run, so a benchmark can produce the load, then make the envelopes again to build
 * the documents they stand for, with the positions Kafka gave them, instead of holding a million
 * envelopes as well.
 */
final class EventLoad {
    /** Makes this run's ids differ from other runs' (their indices may still exist). */
    private static final long SALT = new SecureRandom().nextLong();

    /** The produced load: when its timestamps start, where each event went, its average record size. */
    record Produced(Instant t0, Position[] positions, double averageBytes) {
    }

    private EventLoad() {
    }

    /** Event {@code i} of the load whose timestamps start at {@code t0}. */
    static EventEnvelope event(int i, Instant t0) {
        int payment = i / 5;
        int version = i % 5 + 1;
        String id = "pay-" + payment;
        Object payload = version == 1
                ? new PaymentProcessed(id, 100_000L, payment % 3 == 0 ? "USD" : "EUR", "org-" + (payment % 50), "u-" + (payment % 500), null)
                : new PaymentRefunded(id, 1_000L);
        return EventEnvelope.newBuilder()
                .setEventId(uuid(i, 0)).setAggregateId(id).setAggregateType("Payment")
                .setEventType(payload.getClass().getSimpleName()).setVersion(version)
                .setTimestamp(t0.plusMillis(i)).setCorrelationId(uuid(i, 1))
                .setCausationId(uuid(i, 2))
                .setMetadata(Metadata.newBuilder().setOrganizationId("org-" + (payment % 50))
                        .setUserId("u-" + (payment % 500)).setExtra(Map.of("source", "bench")).build())
                .setPayload(payload).build();
    }

    /** A random-looking version-4 UUID, the same for the same {@code i} and {@code k} within a run. */
    private static String uuid(int i, int k) {
        var r = new SplittableRandom(SALT + i * 4L + k);
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** Produces events 0 to n - 1 to {@code topic} (acks=all) and returns where each went. */
    static Produced produce(String kafka, String registryUrl, String topic, int n) throws Exception {
        long bytes = 0;
        Position[] at = new Position[n];
        AtomicLong failed = new AtomicLong();
        Instant t0 = Instant.now();
        try (var registry = new RestSchemaRegistryClient(registryUrl, Duration.ofSeconds(10));
                var serializer = new AvroSerializer<EventEnvelope>(registry, true);
                var producer = new KafkaProducer<>(Map.<String, Object>of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka, ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 262_144),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                EventEnvelope e = event(i, t0);
                byte[] key = e.getAggregateId().getBytes(StandardCharsets.UTF_8);
                byte[] value = serializer.serialize(topic, e);
                bytes += key.length + value.length;
                int slot = i;
                producer.send(new ProducerRecord<>(topic, key, value), (md, ex) -> {
                    if (ex != null) {
                        failed.incrementAndGet();
                    } else {
                        at[slot] = new Position(topic, md.partition(), md.offset());
                    }
                });
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " events were not produced");
        }
        return new Produced(t0, at, bytes / (double) n);
    }
}
