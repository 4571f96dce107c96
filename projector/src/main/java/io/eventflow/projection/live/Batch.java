package io.eventflow.projection.live;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Records of one or more partitions that go to Elasticsearch as one bulk. Each partition's records
 * are contiguous and in offset order, and a partition is in at most one batch in flight.
 */
final class Batch {
    private final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records;
    private final int size;
    private final long bytes;
    private final AtomicBoolean aborted = new AtomicBoolean();

    Batch(LinkedHashMap<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records, int size, long bytes) {
        this.records = records;
        this.size = size;
        this.bytes = bytes;
    }

    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records() {
        return records;
    }

    int size() {
        return size;
    }

    long bytes() {
        return bytes;
    }

    /** Asks the batch to stop retrying; it then ends with {@link ElasticsearchProjection.AbortedException}. */
    void abort() {
        aborted.set(true);
    }

    boolean isAborted() {
        return aborted.get();
    }

    /** The offsets to commit once the whole batch is acknowledged. */
    Map<TopicPartition, OffsetAndMetadata> nextOffsets() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        records.forEach((tp, rs) -> offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1)));
        return offsets;
    }

    long firstOffset(TopicPartition tp) {
        return records.get(tp).get(0).offset();
    }

    long firstTimestamp(TopicPartition tp) {
        return records.get(tp).get(0).timestamp();
    }
}
