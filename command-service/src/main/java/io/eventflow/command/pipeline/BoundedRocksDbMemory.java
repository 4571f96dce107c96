package io.eventflow.command.pipeline;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of all state stores of this JVM together: one block cache, which also
 * holds index and filter blocks and is charged for the memtables. Without it every store (one per
 * partition) takes its own 50 MB cache and up to 48 MB of memtables, so RSS grows with the
 * partition count. The pattern is the one in the Kafka Streams memory-management docs.
 *
 * <p>Kafka Streams builds this class by name; the cache is therefore shared through a static, sized
 * by {@link #MEMORY_CONFIG} the first time a store is configured.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
    /** Total off-heap bytes for the block cache and memtables of all stores; defaults to 64 MiB. */
    public static final String MEMORY_CONFIG = "rocksdb.memory.bytes";
    static final long DEFAULT_MEMORY = 64L * 1024 * 1024;

    private static Cache cache;
    private static WriteBufferManager writeBuffers;

    private static synchronized void init(Map<String, Object> configs) {
        if (cache == null) {
            Object v = configs.get(MEMORY_CONFIG);
            long total = v == null ? DEFAULT_MEMORY : Long.parseLong(v.toString());
            cache = new LRUCache(total, -1, false, 0.1);
            writeBuffers = new WriteBufferManager(total / 4, cache);
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        init(configs);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(writeBuffers);
        options.setMaxWriteBufferNumber(2);
        options.setWriteBufferSize(8L * 1024 * 1024);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and write buffer manager are shared by every store: never closed per store.
    }
}
