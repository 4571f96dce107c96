package io.eventflow.projection;

import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poll, decode, project, dead-letter, commit: offsets are committed only after Elasticsearch
 * acknowledged the batch and every dead letter was acknowledged by Kafka. A batch that cannot be
 * written now is rewound and read again, so nothing is skipped. Runs on one thread; {@link #stop}
 * may be called from any thread.
 */
final class ProjectionLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ProjectionLoop.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> deadLetters;
    private final Deserializer<EventEnvelope> decoder;
    private final ElasticsearchProjection projection;
    private final String topic;
    private final String deadLetterTopic;
    private final Duration retryBackoff;
    private final AtomicBoolean running = new AtomicBoolean(true);

    ProjectionLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> deadLetters,
            Deserializer<EventEnvelope> decoder, ElasticsearchProjection projection, String topic,
            String deadLetterTopic, Duration retryBackoff) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.projection = Objects.requireNonNull(projection, "projection");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.deadLetterTopic = Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        this.retryBackoff = Objects.requireNonNull(retryBackoff, "retryBackoff");
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    handle(records);
                    consumer.commitSync(nextOffsets(records));
                } catch (TransientProjectionException | RetriableException e) {
                    log.warn("batch of {} records not projected, will read it again: {}", records.count(), e.toString());
                    rewind(records);
                    sleep(retryBackoff);
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("projection loop on {} stopped by an unexpected error; offsets of the failed batch were not committed",
                    topic, e);
            throw e;
        } finally {
            consumer.close();
        }
    }

    private void handle(ConsumerRecords<byte[], byte[]> records) {
        List<ElasticsearchProjection.Item> items = new ArrayList<>(records.count());
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            EventEnvelope event;
            try {
                event = decoder.deserialize(r.topic(), r.value());
                if (event == null) {
                    throw new org.apache.kafka.common.errors.SerializationException("event record has no value");
                }
            } catch (RetriableException e) {
                throw e;
            } catch (RuntimeException e) {
                sent.add(deadLetter(r, e));
                continue;
            }
            items.add(new ElasticsearchProjection.Item(r.topic(), r.partition(), r.offset(), event));
        }
        if (!items.isEmpty()) {
            for (ElasticsearchProjection.Failure f : projection.project(items)) {
                var item = f.item();
                log.warn("dead-lettering event {} of {} ({}-{}@{}): {}", item.event().getEventId(),
                        item.event().getAggregateId(), item.topic(), item.partition(), item.offset(), f.reason());
                ConsumerRecord<byte[], byte[]> source = find(records, item);
                sent.add(deadLetter(source, new IllegalArgumentException(f.reason())));
            }
        }
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new TransientProjectionException("dead letter not acknowledged by Kafka", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransientProjectionException("interrupted waiting for a dead letter", e);
            }
        }
        log.debug("projected {} events", items.size());
    }

    private static ConsumerRecord<byte[], byte[]> find(ConsumerRecords<byte[], byte[]> records, ElasticsearchProjection.Item item) {
        for (ConsumerRecord<byte[], byte[]> r : records.records(new TopicPartition(item.topic(), item.partition()))) {
            if (r.offset() == item.offset()) {
                return r;
            }
        }
        throw new IllegalStateException("record not in batch: " + item);
    }

    private Future<RecordMetadata> deadLetter(ConsumerRecord<byte[], byte[]> r, Exception error) {
        log.warn("dead-lettering record {}-{}@{} to {}: {}", r.topic(), r.partition(), r.offset(), deadLetterTopic, error.toString());
        RecordHeaders headers = new RecordHeaders(r.headers().toArray());
        DeadLetterHeaders.add(headers, error, r.topic(), r.partition(), r.offset());
        return deadLetters.send(new ProducerRecord<>(deadLetterTopic, null, r.key(), r.value(), headers));
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return offsets;
    }

    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop() {
        running.set(false);
        consumer.wakeup();
    }
}
