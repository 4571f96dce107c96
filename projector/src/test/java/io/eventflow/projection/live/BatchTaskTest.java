package io.eventflow.projection.live;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.eventstore.LogContext;
import io.eventflow.projection.sink.ElasticsearchProjection;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.serde.SchemaRegistryUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.eventflow.aggregate.AggregateIndices;
import io.eventflow.aggregate.AggregateTypes;
import io.eventflow.payments.Payments;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.ExponentialBackoff;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Infrastructure faults in a batch are retried within infrastructure.retry.timeout.ms, then stop
 * the worker; they never dead-letter a record. Only undecodable records reach Elasticsearch's
 * side here (none), so no server is needed.
 */
@Timeout(30)
class BatchTaskTest {
    private static final String REGISTRY = "http://registry.test:8081/apis/ccompat/v7";

    private final ElasticsearchClient es = ElasticsearchClients.connect("http://127.0.0.1:1");
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final ProjectorMetrics metrics = new ProjectorMetrics(new SimpleMeterRegistry());
    private final ExponentialBackoff backoff = ProjectionWiring.backoff(5, 20);

    @AfterEach
    void close() {
        ElasticsearchClients.close(es);
    }

    private BatchTask task(Deserializer<EventEnvelope> decoder, Duration timeout) {
        var projection = new ElasticsearchProjection(es, ElasticsearchProjection.Targets.live(
                AggregateIndices.of("t-", AggregateTypes.of(Payments.TYPE))),
                new ElasticsearchProjection.Policy(backoff, 1, Duration.ZERO), metrics);
        var lane = new Lane(Payments.TYPE, "events", "events-dlq");
        return new BatchTask(Map.of("events", new BatchTask.Decoding(lane, decoder)), projection, producer, metrics,
                backoff, new BatchTask.InfrastructureRetry(timeout, REGISTRY));
    }

    private static Batch batch(int records) {
        var rs = new java.util.ArrayList<ConsumerRecord<byte[], byte[]>>();
        for (int i = 0; i < records; i++) {
            rs.add(new ConsumerRecord<>("events", 0, 10 + i, "k".getBytes(StandardCharsets.UTF_8),
                    "v".getBytes(StandardCharsets.UTF_8)));
        }
        var map = new LinkedHashMap<TopicPartition, List<ConsumerRecord<byte[], byte[]>>>();
        map.put(new TopicPartition("events", 0), rs);
        return new Batch(map, records, records);
    }

    @Test
    void aRegistryFaultThatOutlastsTheTimeoutStopsTheBatchAndDeadLettersNothing() {
        AtomicInteger calls = new AtomicInteger();
        Deserializer<EventEnvelope> down = (topic, data) -> {
            calls.incrementAndGet();
            throw new SchemaRegistryUnavailableException("schema registry " + REGISTRY + ": GET ... answered 401");
        };
        long start = System.nanoTime();
        assertThatThrownBy(() -> task(down, Duration.ofMillis(300)).run(batch(2)))
                .isInstanceOf(BatchTask.InfrastructureFault.class)
                .hasMessageContaining(REGISTRY).hasMessageContaining("answered 401").hasMessageContaining("events-0@10");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(calls.get()).isGreaterThan(1);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void aRegistryFaultThatClearsWithinTheTimeoutIsRetried() {
        AtomicInteger failures = new AtomicInteger(3);
        Deserializer<EventEnvelope> flaky = (topic, data) -> {
            if (failures.getAndDecrement() > 0) {
                throw new SchemaRegistryUnavailableException("connection refused");
            }
            throw new SerializationException("not an event"); // then bad data: dead-lettered
        };
        Thread sender = autoComplete(null);
        task(flaky, Duration.ofSeconds(30)).run(batch(1));
        sender.interrupt();
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void aDeadLetterRefusedForGoodStopsTheWorkerAtOnce() {
        Deserializer<EventEnvelope> bad = (topic, data) -> {
            throw new SerializationException("not an event");
        };
        Thread sender = autoComplete(new RecordTooLargeException("too large"));
        assertThatThrownBy(() -> task(bad, Duration.ofSeconds(30)).run(batch(1)))
                .isInstanceOf(BatchTask.InfrastructureFault.class)
                .hasMessageContaining("events-dlq").hasMessageContaining("RecordTooLargeException");
        sender.interrupt();
    }

    @Test
    void aDeadLetterNotAcknowledgedWithinTheTimeoutStopsTheWorker() {
        Deserializer<EventEnvelope> bad = (topic, data) -> {
            throw new SerializationException("not an event");
        };
        Thread sender = autoComplete(new NotEnoughReplicasException("not enough replicas"));
        assertThatThrownBy(() -> task(bad, Duration.ofMillis(200)).run(batch(1)))
                .isInstanceOf(BatchTask.InfrastructureFault.class)
                .hasMessageContaining("still not acknowledging").hasMessageContaining("NotEnoughReplicas");
        sender.interrupt();
        assertThat(producer.history().size()).isGreaterThan(1);
    }

    @Test
    void theLinesAboutARecordCarryItsTopicPartitionAndOffsetOnlyWhileItIsHandled() {
        AtomicInteger failures = new AtomicInteger(1);
        Deserializer<EventEnvelope> flaky = (topic, data) -> {
            if (failures.getAndDecrement() > 0) {
                throw new SchemaRegistryUnavailableException("connection refused");
            }
            throw new SerializationException("not an event");
        };
        var lines = new ListAppender<ILoggingEvent>();
        var logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(BatchTask.class);
        lines.start();
        logger.addAppender(lines);
        Thread sender = autoComplete(null);
        try {
            task(flaky, Duration.ofSeconds(30)).run(batch(1));
        } finally {
            sender.interrupt();
            logger.detachAppender(lines);
        }

        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(
                m -> assertThat(m).startsWith("decoding events-0@10 failed")).anySatisfy(
                m -> assertThat(m).startsWith("dead-lettered events-0@10 to events-dlq"));
        assertThat(lines.list).allSatisfy(line -> assertThat(line.getMDCPropertyMap()).containsExactlyInAnyOrderEntriesOf(
                Map.of(LogContext.TOPIC, "events", LogContext.PARTITION, "0", LogContext.OFFSET, "10")));
        assertThat(MDC.getCopyOfContextMap()).as("nothing left on the worker thread").isNullOrEmpty();
    }

    /** Completes every send of the mock producer as it arrives: with {@code error}, or successfully when null. */
    private Thread autoComplete(RuntimeException error) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                boolean done = error == null ? producer.completeNext() : producer.errorNext(error);
                if (!done) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
            }
        }, "mock-acks");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
