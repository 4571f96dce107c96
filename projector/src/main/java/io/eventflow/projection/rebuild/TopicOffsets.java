package io.eventflow.projection.rebuild;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * Offsets of events topics and of consumer groups, read with the admin client. End offsets are
 * read_committed (the last stable offset), as the projector reads. Thread-safe.
 */
public final class TopicOffsets implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Admin admin;
    private final List<String> topics;

    /** @param topics the events topics of the model at hand: one per aggregate type it covers */
    public TopicOffsets(Map<String, Object> adminProperties, List<String> topics) {
        this.topics = List.copyOf(topics);
        if (this.topics.isEmpty()) {
            throw new IllegalArgumentException("no topic");
        }
        this.admin = Admin.create(adminProperties);
    }

    List<String> topics() {
        return topics;
    }

    List<TopicPartition> partitions() {
        var descriptions = get(admin.describeTopics(topics).allTopicNames());
        List<TopicPartition> out = new java.util.ArrayList<>();
        for (String topic : topics) {
            descriptions.get(topic).partitions().forEach(p -> out.add(new TopicPartition(topic, p.partition())));
        }
        return out;
    }

    Map<TopicPartition, Long> earliest() {
        return list(OffsetSpec.earliest());
    }

    Map<TopicPartition, Long> latest() {
        return list(OffsetSpec.latest());
    }

    /** The group's committed offsets on the topic; partitions it never committed are 0. */
    Map<TopicPartition, Long> committed(String groupId) {
        Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata());
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions()) {
            OffsetAndMetadata o = committed.get(tp);
            out.put(tp, o == null ? 0L : o.offset());
        }
        return out;
    }

    void deleteGroup(String groupId) {
        try {
            get(admin.deleteConsumerGroups(List.of(groupId)).all());
        } catch (RuntimeException e) {
            // absent or still in use: nothing to clean
        }
    }

    private Map<TopicPartition, Long> list(OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions().forEach(tp -> request.put(tp, spec));
        var result = get(admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all());
        Map<TopicPartition, Long> out = new HashMap<>();
        result.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private static <T> T get(KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + TIMEOUT.toSeconds() + " s", e);
        }
    }

    static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
