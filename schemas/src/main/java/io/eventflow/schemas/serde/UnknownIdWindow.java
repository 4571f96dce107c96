package io.eventflow.schemas.serde;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Over the last {@code size} records whose schema id was looked at, how many had an id the
 * registry does not know (or a schema the topic's subject does not hold). When that is more than
 * half of them, with at least {@code minSamples} records seen, the registry is the likelier
 * culprit (wrong or emptied), not the records. A known id costs one atomic increment.
 * Thread-safe.
 */
final class UnknownIdWindow {
    private final int size;
    private final int minSamples;
    /** Records seen so far; the sequence number of the latest. */
    private final AtomicLong seen = new AtomicLong();
    /** Sequence numbers of the last {@code size} unknown ids (0: none); only these can be in the window. */
    private final long[] unknownAt;
    private int next;

    UnknownIdWindow(int size, int minSamples) {
        if (size < 1 || minSamples < 1 || minSamples > size) {
            throw new IllegalArgumentException("need 1 <= minSamples <= size");
        }
        this.size = size;
        this.minSamples = minSamples;
        this.unknownAt = new long[size];
    }

    void known() {
        seen.incrementAndGet();
    }

    /** Counts one unknown id; answers how many of the last records were unknown, and out of how many. */
    synchronized Share unknown() {
        long seq = seen.incrementAndGet();
        unknownAt[next] = seq;
        next = (next + 1) % size;
        int unknown = 0;
        for (long at : unknownAt) {
            if (at > 0 && at > seq - size) {
                unknown++;
            }
        }
        return new Share(unknown, (int) Math.min(seq, size), minSamples);
    }

    record Share(int unknown, int samples, int minSamples) {
        /** More than half of enough samples. */
        boolean mostly() {
            return samples >= minSamples && 2L * unknown > samples;
        }
    }
}
