package io.eventflow.command.pipeline;

import io.eventflow.command.payment.PaymentState;
import io.eventflow.eventstore.EnvelopeRules;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the processor gets an aggregate its state store does not know: from the event store.
 *
 * <p>It loads, in one event-store search per poll, the aggregates of a poll's commands that the local
 * state store does not know, so a stream of new aggregates costs one search per poll instead of one
 * per command. {@link HydrationPrefetchInterceptor} calls {@link #onPoll} on the stream thread that
 * polled; the processor of the same thread then calls {@link #load} on a store miss.
 *
 * <p>The prefetch is only a cache in front of {@link AggregateHistory}: an entry that is missing,
 * evicted or older than {@link #TTL} makes {@link #load} search for that aggregate itself, with
 * retries, so correctness never depends on it. An entry is as fresh as a search made when the command was polled. Thread-safe.
 */
final class Hydration {
    private static final Logger log = LoggerFactory.getLogger(Hydration.class);

    static final Duration TTL = Duration.ofSeconds(30);
    private static final int MAX_ENTRIES = 50_000;

    private final AggregateHistory history;
    private final String commandsTopic;
    private final TransientRetry retry;
    private final MeterRegistry metrics;
    private final Map<Integer, KeyValueStore<String, AggregateRecord>> stores = new ConcurrentHashMap<>();
    private final Map<String, Entry> loaded;

    private record Entry(PaymentState state, long loadedAtNanos) {
    }

    Hydration(AggregateHistory history, String commandsTopic, TransientRetry retry, MeterRegistry metrics) {
        this.history = Objects.requireNonNull(history, "history");
        this.commandsTopic = Objects.requireNonNull(commandsTopic, "commandsTopic");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.loaded = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > MAX_ENTRIES;
            }
        };
    }

    /** A task's store, so polls skip the aggregates it already holds. */
    void register(int partition, KeyValueStore<String, AggregateRecord> store) {
        stores.put(partition, store);
    }

    void unregister(int partition, KeyValueStore<String, AggregateRecord> store) {
        stores.remove(partition, store);
    }

    void onPoll(ConsumerRecords<byte[], byte[]> records) {
        Set<String> unknown = new LinkedHashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.key() == null || !commandsTopic.equals(r.topic())) {
                continue;
            }
            String id = new String(r.key(), StandardCharsets.UTF_8);
            // An id the processor will refuse anyway must not fail the whole poll's search.
            if (EnvelopeRules.isValidId(id) && !unknown.contains(id) && !inStore(r.partition(), id)) {
                unknown.add(id);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        Map<String, PaymentState> states;
        try {
            states = history.load(unknown);
        } catch (Exception e) {
            // The processor will search for these itself, with retries and a clear failure.
            log.debug("prefetch of {} aggregates failed, falling back to one search per command: {}", unknown.size(),
                    e.toString());
            return;
        }
        long now = System.nanoTime();
        synchronized (loaded) {
            for (String id : unknown) {
                loaded.put(id, new Entry(states.getOrDefault(id, PaymentState.initial(id)), now));
            }
        }
    }

    private boolean inStore(int partition, String id) {
        KeyValueStore<String, AggregateRecord> store = stores.get(partition);
        if (store == null) {
            return false;
        }
        try {
            return store.get(id) != null;
        } catch (RuntimeException e) {
            return false; // store closing during a rebalance: prefetching anyway is harmless
        }
    }

    /**
     * The state of an aggregate the store does not know: prefetched, or else searched for now.
     *
     * @throws TransientRetry.StillUnavailableException when the event store stays unreachable
     * @throws Exception a permanent failure, e.g. a history with a gap
     */
    PaymentState load(String aggregateId) throws Exception {
        Entry e;
        synchronized (loaded) {
            e = loaded.remove(aggregateId);
        }
        if (e != null && System.nanoTime() - e.loadedAtNanos() <= TTL.toNanos()) {
            metrics.counter("eventflow.commands.hydrations", "source", "prefetch").increment();
            return e.state();
        }
        metrics.counter("eventflow.commands.hydrations", "source", "search").increment();
        PaymentState state = retry.call("loading aggregate " + aggregateId + " from the event store",
                () -> history.load(List.of(aggregateId)).get(aggregateId));
        return state != null ? state : PaymentState.initial(aggregateId);
    }
}
