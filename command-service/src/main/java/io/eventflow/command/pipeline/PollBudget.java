package io.eventflow.command.pipeline;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/**
 * The Elasticsearch time each stream thread spent since its last poll, in nanoseconds: one account
 * per thread, shared by the hydrations of every aggregate type, since a thread's transaction spans
 * the records of all of its tasks. Thread-safe (one slot per thread).
 */
final class PollBudget {
    private final ThreadLocal<long[]> spent = ThreadLocal.withInitial(() -> new long[1]);

    /** This thread's slot; callers add what they spend to element 0. */
    long[] get() {
        return spent.get();
    }

    /** The records before this poll were committed (a requested commit happens before the next poll). */
    void reset() {
        spent.get()[0] = 0;
    }

    /** A poll for every type's hydration: the deadline starts over once, then each type prefetches its records. */
    static void onPoll(PollBudget budget, List<Hydration<?>> hydrations, ConsumerRecords<byte[], byte[]> records) {
        Objects.requireNonNull(budget, "budget").reset();
        for (Hydration<?> h : hydrations) {
            h.prefetch(records);
        }
    }
}
