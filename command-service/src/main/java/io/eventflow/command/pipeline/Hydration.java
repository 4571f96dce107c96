package io.eventflow.command.pipeline;

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
import java.util.function.Function;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the processor of one aggregate type gets an aggregate its state store does not know: from
 * the event store. One per aggregate type; the types' instances share one deadline per stream thread
 * ({@link PollBudget}).
 *
 * <p>It loads, in one event-store search per poll, the aggregates of a poll's commands that the local
 * state store does not know, so a stream of new aggregates costs one search per poll instead of one
 * per command. {@link HydrationPrefetchInterceptor} calls {@link #onPoll} on the stream thread that
 * polled; the processor of the same thread then calls {@link #load} on a store miss.
 *
 * <p>The prefetch is only a cache in front of {@link AggregateHistory}: an entry that is missing,
 * evicted or older than {@link #TTL} makes {@link #load} search for that aggregate itself, with
 * retries, so correctness never depends on it. An entry is as fresh as a search made when the command was polled.
 *
 * <p>Time. Everything here runs on a stream thread, often while its transaction is open, and a
 * transaction left open past the producer's {@code transaction.timeout.ms} is aborted by the broker
 * and the producer fenced. So each request is bounded by {@code elasticsearch.request.timeout.ms},
 * and all the Elasticsearch time a thread spends between two polls (the prefetch, then the
 * searches of the records it processes) shares one budget, {@code processing.deadline.ms}, which
 * the configuration keeps well below the transaction timeout. When the budget is spent the record
 * fails transiently: its task is retried from the last commit, never answered. The processor asks
 * for a commit after each record that had to search, so the next one starts a fresh transaction.
 * A prefetch that failed is not tried again for {@link #PREFETCH_PAUSE}. Thread-safe.
 */
final class Hydration<S> {
    private static final Logger log = LoggerFactory.getLogger(Hydration.class);

    static final Duration TTL = Duration.ofSeconds(30);
    static final Duration PREFETCH_PAUSE = Duration.ofSeconds(5);
    private static final int MAX_ENTRIES = 50_000;

    private final AggregateHistory<S> history;
    private final Function<String, S> initial;
    private final String commandsTopic;
    private final TransientRetry retry;
    private final Duration requestTimeout;
    private final MeterRegistry metrics;
    /** Elasticsearch nanoseconds this thread spent since its last poll, shared by every type's hydration. */
    private final PollBudget spentSincePoll;
    /** System.nanoTime of the last failed prefetch, or 0. */
    private volatile long prefetchFailedAt;
    private final Map<Integer, KeyValueStore<String, AggregateRecord<S>>> stores = new ConcurrentHashMap<>();
    private final Map<String, Entry<S>> loaded;

    private record Entry<S>(S state, long loadedAtNanos) {
    }

    /** What {@link #load} found: the state, and whether it took a search of the event store. */
    record Loaded<S>(S state, boolean searched) {
    }

    /**
     * @param initial the state of an aggregate with no event yet
     * @param requestTimeout the longest one attempt (one prefetch, one search) may take
     * @param budget this service's per-thread deadline account, shared by every type's hydration
     */
    Hydration(AggregateHistory<S> history, Function<String, S> initial, String commandsTopic, TransientRetry retry,
            Duration requestTimeout, PollBudget budget, MeterRegistry metrics) {
        this.history = Objects.requireNonNull(history, "history");
        this.initial = Objects.requireNonNull(initial, "initial");
        this.spentSincePoll = Objects.requireNonNull(budget, "budget");
        this.commandsTopic = Objects.requireNonNull(commandsTopic, "commandsTopic");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.loaded = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry<S>> eldest) {
                return size() > MAX_ENTRIES;
            }
        };
    }

    /** A task's store, so polls skip the aggregates it already holds. */
    void register(int partition, KeyValueStore<String, AggregateRecord<S>> store) {
        stores.put(partition, store);
    }

    void unregister(int partition, KeyValueStore<String, AggregateRecord<S>> store) {
        stores.remove(partition, store);
    }

    /** A poll of this thread's consumer: starts its deadline over, then prefetches. */
    void onPoll(ConsumerRecords<byte[], byte[]> records) {
        spentSincePoll.reset();
        prefetch(records);
    }

    /** Loads the poll's aggregates of this type that the store does not know, within the thread's deadline. */
    void prefetch(ConsumerRecords<byte[], byte[]> records) {
        long[] spent = spentSincePoll.get();
        long failedAt = prefetchFailedAt;
        if (failedAt != 0 && System.nanoTime() - failedAt < PREFETCH_PAUSE.toNanos()) {
            return;
        }
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
        Map<String, S> states;
        long started = System.nanoTime();
        try {
            Duration budget = budget(spent);
            states = history.load(unknown, budget.compareTo(requestTimeout) < 0 ? budget : requestTimeout);
        } catch (Exception e) {
            // The processor will search for these itself, with retries and a clear failure.
            prefetchFailedAt = System.nanoTime();
            log.debug("prefetch of {} aggregates failed, falling back to one search per command: {}", unknown.size(),
                    e.toString());
            return;
        } finally {
            spent[0] += System.nanoTime() - started;
        }
        prefetchFailedAt = 0;
        long now = System.nanoTime();
        synchronized (loaded) {
            for (String id : unknown) {
                loaded.put(id, new Entry<>(states.getOrDefault(id, initial.apply(id)), now));
            }
        }
    }

    private boolean inStore(int partition, String id) {
        KeyValueStore<String, AggregateRecord<S>> store = stores.get(partition);
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
    Loaded<S> load(String aggregateId) throws Exception {
        Entry<S> e;
        synchronized (loaded) {
            e = loaded.remove(aggregateId);
        }
        if (e != null && System.nanoTime() - e.loadedAtNanos() <= TTL.toNanos()) {
            metrics.counter("eventflow.commands.hydrations", "source", "prefetch").increment();
            return new Loaded<>(e.state(), false);
        }
        metrics.counter("eventflow.commands.hydrations", "source", "search").increment();
        long[] spent = spentSincePoll.get();
        long started = System.nanoTime();
        try {
            S state = retry.callWithin("loading aggregate " + aggregateId + " from the event store",
                    budget(spent), requestTimeout,
                    budget -> history.load(List.of(aggregateId), budget).get(aggregateId));
            return new Loaded<>(state != null ? state : initial.apply(aggregateId), true);
        } finally {
            spent[0] += System.nanoTime() - started;
        }
    }

    /** What is left of this thread's deadline since its last poll; an attempt gets at most the request timeout. */
    private Duration budget(long[] spent) {
        return retry.maxBlock().minusNanos(spent[0]);
    }
}
