package io.eventflow.projection.live;

import io.eventflow.projection.sink.ElasticsearchProjection;
import io.eventflow.aggregate.Envelopes;
import io.eventflow.aggregate.Envelopes.EventView;
import io.eventflow.eventstore.LogContext;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.ExponentialBackoff;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Projects one batch on a worker thread: decode (undecodable records are dead-lettered), write to
 * Elasticsearch, dead-letter what it refused for good, and wait until Kafka acknowledged every
 * dead letter. Only then may the loop commit the batch's offsets. Transient Elasticsearch failures
 * are retried until they succeed or the batch is aborted. Infrastructure faults of the registry
 * (a {@link RetriableException} from the decoder) and of the dead-letter topic are retried with
 * backoff for at most {@code infrastructure.retry.timeout.ms} without a success; then the batch
 * fails with {@link InfrastructureFault}, which stops the worker: nothing is dead-lettered for
 * such a fault and none of the batch's offsets is committed. Thread-safe; one instance serves all
 * batches.
 */
final class BatchTask {
    private static final Logger log = LoggerFactory.getLogger(BatchTask.class);

    private final Map<String, Decoding> decoders;
    private final ElasticsearchProjection projection;
    private final Producer<byte[], byte[]> deadLetters;
    private final ProjectorMetrics metrics;
    private final ExponentialBackoff backoff;
    private final InfrastructureRetry infrastructure;

    /** How the records of one events topic are read: its lane and a decoder for its type's envelope. */
    record Decoding(Lane lane, Deserializer<? extends SpecificRecord> decoder) {
        Decoding {
            Objects.requireNonNull(lane, "lane");
            Objects.requireNonNull(decoder, "decoder");
        }
    }

    /** @param decoders by events topic: every topic the batches hold */
    BatchTask(Map<String, Decoding> decoders, ElasticsearchProjection projection, Producer<byte[], byte[]> deadLetters,
            ProjectorMetrics metrics, ExponentialBackoff backoff, InfrastructureRetry infrastructure) {
        this.decoders = Map.copyOf(decoders);
        this.projection = Objects.requireNonNull(projection, "projection");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.infrastructure = Objects.requireNonNull(infrastructure, "infrastructure");
    }

    /**
     * How long infrastructure faults are retried without a success before the worker stops, and
     * the registry's address for the message.
     */
    record InfrastructureRetry(Duration timeout, String registry) {
        InfrastructureRetry {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(registry, "registry");
        }

        /** True once faults since {@code firstFailureNanos} have lasted the timeout. */
        boolean exhausted(long firstFailureNanos) {
            return System.nanoTime() - firstFailureNanos >= timeout.toNanos();
        }
    }

    /**
     * An infrastructure fault that outlasted {@code infrastructure.retry.timeout.ms}, or a
     * dead-letter send that Kafka refused for good: the worker must stop, not skip the records.
     */
    static final class InfrastructureFault extends RuntimeException {
        InfrastructureFault(String message, Throwable cause) {
            super(message, cause);
        }
    }

    void run(Batch batch) {
        List<ElasticsearchProjection.Item> items = new ArrayList<>(batch.size());
        List<Letter> letters = new ArrayList<>();
        batch.records().forEach((tp, records) -> {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                Decoding decoding = decoding(r.topic());
                EventView event;
                try (var ignored = LogContext.record(r.topic(), r.partition(), r.offset())) {
                    event = decode(decoding, r, batch);
                } catch (InfrastructureFault | ElasticsearchProjection.AbortedException e) {
                    throw e; // the worker stops or the batch is given up: not the record's fault
                } catch (RuntimeException e) {
                    letters.add(new Letter(r, null, e));
                    continue;
                }
                items.add(new ElasticsearchProjection.Item(r.topic(), r.partition(), r.offset(), decoding.lane().type(),
                        event));
            }
        });
        if (!items.isEmpty()) {
            for (ElasticsearchProjection.Failure f : projection.project(items, batch::isAborted)) {
                var item = f.item();
                String eventId = item.event().eventId();
                try (var ignored = LogContext.record(item.topic(), item.partition(), item.offset()).eventId(eventId)) {
                    log.warn("event {} of {} ({}-{}@{}) not projected: {}", eventId, item.event().aggregateId(),
                            item.topic(), item.partition(), item.offset(), f.reason());
                }
                letters.add(new Letter(find(batch, item), eventId, new IllegalArgumentException(f.reason())));
            }
        }
        if (!letters.isEmpty()) {
            send(letters, batch);
        }
    }

    /** A record to dead-letter; {@code eventId} is null when it did not decode. */
    private record Letter(ConsumerRecord<byte[], byte[]> record, String eventId, Exception reason) {
    }

    private Decoding decoding(String topic) {
        Decoding d = decoders.get(topic);
        if (d == null) {
            throw new IllegalStateException("no aggregate type reads topic " + topic + "; lanes: " + decoders.keySet());
        }
        return d;
    }

    private EventView decode(Decoding decoding, ConsumerRecord<byte[], byte[]> r, Batch batch) {
        long firstFailure = 0;
        for (int attempt = 0; ; attempt++) {
            try {
                SpecificRecord record = decoding.decoder().deserialize(r.topic(), r.headers(), r.value());
                if (record == null) {
                    throw new SerializationException("event record has no value (tombstone)");
                }
                EventView event = Envelopes.event(record);
                String expected = decoding.lane().type().names().type();
                if (!expected.equals(event.aggregateType())) {
                    // The topic is the type's system of record: an event naming another type is bad data.
                    throw new SerializationException("event " + event.eventId() + " names aggregate type '"
                            + event.aggregateType() + "' but topic " + r.topic() + " holds " + expected + " events");
                }
                return event;
            } catch (RetriableException e) {
                // The registry cannot answer, or is not the one the records were written with: wait for it,
                // within the bound, and never dead-letter a good record for it.
                if (attempt == 0) {
                    firstFailure = System.nanoTime();
                }
                if (infrastructure.exhausted(firstFailure)) {
                    throw new InfrastructureFault("schema registry " + infrastructure.registry() + " still failing after "
                            + elapsed(firstFailure) + " and " + (attempt + 1) + " attempts (infrastructure.retry.timeout.ms="
                            + infrastructure.timeout().toMillis() + ") decoding " + r.topic() + "-" + r.partition() + "@"
                            + r.offset() + "; last error: " + e.getMessage(), e);
                }
                log.warn("decoding {}-{}@{} failed on an infrastructure fault (attempt {}), retrying: {}", r.topic(),
                        r.partition(), r.offset(), attempt + 1, e.toString());
                metrics.retry("registry");
                sleep(backoff.backoff(attempt), batch);
            }
        }
    }

    private static String elapsed(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000 + " ms";
    }

    private void send(List<Letter> letters, Batch batch) {
        List<Letter> pending = letters;
        long firstFailure = 0;
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (Letter l : pending) {
                ConsumerRecord<byte[], byte[]> r = l.record();
                RecordHeaders headers = new RecordHeaders(r.headers().toArray());
                DeadLetterHeaders.add(headers, l.reason(), r.topic(), r.partition(), r.offset());
                sent.add(deadLetters.send(new ProducerRecord<>(deadLetterTopic(r), null, r.key(), r.value(), headers)));
            }
            List<Letter> retry = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                ConsumerRecord<byte[], byte[]> r = pending.get(i).record();
                // Outside the try below: its catch blocks run after the resources are closed.
                try (var ignored = LogContext.record(r.topic(), r.partition(), r.offset())
                        .eventId(pending.get(i).eventId())) {
                    try {
                        sent.get(i).get();
                        metrics.deadLettered();
                        log.warn("dead-lettered {}-{}@{} to {}: {}", r.topic(), r.partition(), r.offset(),
                                deadLetterTopic(r), pending.get(i).reason().getMessage());
                    } catch (ExecutionException e) {
                        Throwable cause = e.getCause();
                        if (!(cause instanceof RetriableException)) {
                            // Too large, not authorized, a fatal producer state: retrying gives the same answer.
                            throw new InfrastructureFault("dead-letter topic " + deadLetterTopic(r)
                                    + " refused the dead letter of " + r.topic() + "-" + r.partition() + "@" + r.offset()
                                    + " for good: " + cause, cause);
                        }
                        if (firstFailure == 0) {
                            firstFailure = System.nanoTime();
                        }
                        if (infrastructure.exhausted(firstFailure)) {
                            throw new InfrastructureFault("dead-letter topic " + deadLetterTopic(r)
                                    + " still not acknowledging " + r.topic() + "-" + r.partition() + "@" + r.offset()
                                    + " after " + elapsed(firstFailure)
                                    + " (infrastructure.retry.timeout.ms=" + infrastructure.timeout().toMillis()
                                    + "); last error: " + cause, cause);
                        }
                        log.warn("dead letter for {}-{}@{} not acknowledged (attempt {}), retrying: {}", r.topic(),
                                r.partition(), r.offset(), attempt + 1, cause.toString());
                        metrics.retry("dead-letter");
                        retry.add(pending.get(i));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new ElasticsearchProjection.AbortedException();
                    }
                }
            }
            pending = retry;
            if (!pending.isEmpty()) {
                sleep(backoff.backoff(attempt), batch);
            }
        }
    }

    private String deadLetterTopic(ConsumerRecord<byte[], byte[]> r) {
        return decoding(r.topic()).lane().deadLetterTopic();
    }

    private static ConsumerRecord<byte[], byte[]> find(Batch batch, ElasticsearchProjection.Item item) {
        for (var records : batch.records().values()) {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                if (r.partition() == item.partition() && r.offset() == item.offset() && r.topic().equals(item.topic())) {
                    return r;
                }
            }
        }
        throw new IllegalStateException("record not in batch: " + item);
    }

    private static void sleep(long millis, Batch batch) {
        long until = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < until) {
            if (batch.isAborted()) {
                throw new ElasticsearchProjection.AbortedException();
            }
            try {
                Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ElasticsearchProjection.AbortedException();
            }
        }
    }
}
