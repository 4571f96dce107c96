package io.eventflow.projection;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with full jitter: attempt n waits a random time up to min(max, first * 2^n). */
record Backoff(Duration first, Duration max) {

    long delayMillis(int attempt) {
        long cap = Math.min(max.toMillis(), first.toMillis() << Math.min(attempt, 20));
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }
}
