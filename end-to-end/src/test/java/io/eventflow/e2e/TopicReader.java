package io.eventflow.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads every record of a topic so far, from the start, with read_committed. */
final class TopicReader {
    private final Map<String, Object> clientProperties;

    TopicReader(String bootstrapServers) {
        this(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** @param clientProperties the consumer's connection (bootstrap.servers, and security settings if any) */
    TopicReader(Map<String, Object> clientProperties) {
        this.clientProperties = new HashMap<>(clientProperties);
        this.clientProperties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.clientProperties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    }

    List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        try (var consumer = new KafkaConsumer<>(clientProperties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // With read_committed, end offsets are the last stable offsets.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }
}
