package io.eventflow.command.pipeline;

import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Hands each poll of the Kafka Streams main consumer to the service's hydrations (one per
 * aggregate type, see {@link PollBudget#onPoll}), which arrive in the consumer config under
 * {@link #PREFETCH_CONFIG} as a {@code Consumer} of the poll's records (Kafka builds interceptors by
 * reflection, so the instance travels in the config map). Records pass through unchanged.
 */
public final class HydrationPrefetchInterceptor implements ConsumerInterceptor<byte[], byte[]> {
    static final String PREFETCH_CONFIG = "eventflow.hydration.prefetch.instance";

    private Consumer<ConsumerRecords<byte[], byte[]>> prefetch;

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs) {
        Object p = configs.get(PREFETCH_CONFIG);
        this.prefetch = (Consumer<ConsumerRecords<byte[], byte[]>>) Objects.requireNonNull(p, PREFETCH_CONFIG + " is not set");
    }

    @Override
    public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
        if (!records.isEmpty()) {
            prefetch.accept(records);
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public void close() {
    }
}
