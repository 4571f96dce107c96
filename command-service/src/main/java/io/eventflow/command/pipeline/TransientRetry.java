package io.eventflow.command.pipeline;

import io.eventflow.eventstore.ElasticsearchErrors;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.utils.ExponentialBackoff;

/**
 * Retries an action while it fails transiently (an unreachable registry, Elasticsearch transport
 * errors, 429 and 5xx), with exponential backoff and jitter, for at most {@code maxBlock}. It must
 * stay below the transaction timeout: the stream thread holds an open transaction meanwhile.
 * Permanent failures are rethrown at once. Thread-safe.
 */
final class TransientRetry {
    /** Pauses between attempts in place: 50 ms doubling up to 1 s, each within +/-25 %. */
    private static final ExponentialBackoff BACKOFF = new ExponentialBackoff(50, 2, 1_000, 0.25);
    /** Delays before a failed stream thread is replaced: 1 s doubling up to 32 s (capped by the maximum). */
    private static final ExponentialBackoff RESTART_BACKOFF = new ExponentialBackoff(1_000, 2, 32_000, 0);

    private static final long MAX_RESTART_DELAY_MS = 30_000;
    private final long maxRestartDelayMs;
    /** An attempt shorter than this could not even connect: give up instead. */
    private static final long MIN_ATTEMPT_NANOS = 20_000_000L;

    private final long maxBlockNanos;
    private final long giveUpNanos;
    private final AtomicInteger failedThreads = new AtomicInteger();
    /** When the current run of thread failures began (System.nanoTime), or 0 when a record was handled since. */
    private final AtomicLong failingSince = new AtomicLong();
    private volatile boolean gaveUp;

    /**
     * @param maxBlock longest a single call retries in place
     * @param giveUp how long thread failures may follow each other without a record handled before the
     *     service stops ({@code infrastructure.retry.timeout.ms})
     */
    TransientRetry(Duration maxBlock, Duration giveUp) {
        this(maxBlock, giveUp, Duration.ofMillis(MAX_RESTART_DELAY_MS));
    }

    /**
     * @param maxRestartDelay the longest wait before a failed stream thread is replaced; the failed
     *     thread may still hold an open transaction meanwhile, so it stays below the transaction timeout
     */
    TransientRetry(Duration maxBlock, Duration giveUp, Duration maxRestartDelay) {
        this.maxRestartDelayMs = Math.max(1, maxRestartDelay.toMillis());
        this.maxBlockNanos = maxBlock.toNanos();
        this.giveUpNanos = giveUp.toNanos();
    }

    static boolean isTransient(Throwable e) {
        return isRetriable(e) || ElasticsearchErrors.isTransient(e);
    }

    /**
     * Only Kafka's retriable type: how the serde marks infrastructure faults. Decoding uses this
     * alone, because a record that does not decode fails with an IOException (an EOF inside the
     * bytes) that the Elasticsearch rule would take for a transport error and retry for ever.
     */
    static boolean isRetriable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RetriableException) {
                return true;
            }
        }
        return false;
    }

    /**
     * @throws StillUnavailableException when the action still fails transiently after {@code maxBlock}
     * @throws Exception the action's permanent failure, unchanged
     */
    <T> T call(String what, Callable<T> action) throws Exception {
        return call(what, action, TransientRetry::isTransient);
    }

    /** As {@link #call(String, Callable)}, with the caller's rule for what is transient. */
    <T> T call(String what, Callable<T> action, Predicate<Throwable> transientRule) throws Exception {
        long start = System.nanoTime();
        for (long attempt = 0; ; attempt++) {
            try {
                return action.call();
            } catch (Exception e) {
                if (!transientRule.test(e)) {
                    throw e;
                }
                long pauseMs = BACKOFF.backoff(attempt);
                if (System.nanoTime() - start + pauseMs * 1_000_000 > maxBlockNanos) {
                    throw new StillUnavailableException(what + " still failing after "
                            + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms: " + e, e);
                }
                Thread.sleep(pauseMs);
            }
        }
    }

    /** An action given the time it may take, e.g. as its requests' timeouts. */
    @FunctionalInterface
    interface Budgeted<T> {
        T call(Duration budget) throws Exception;
    }

    /**
     * Retries {@code action} while it fails transiently, each attempt given at most
     * {@code attemptTimeout} and all of them together at most {@code budget} (capped at
     * {@code maxBlock}): the attempts' own timeouts make the bound hold, so a slow dependency
     * cannot hold the stream thread, and its open transaction, for longer.
     *
     * @throws StillUnavailableException when the budget is spent and the action still fails transiently
     * @throws Exception the action's permanent failure, unchanged
     */
    <T> T callWithin(String what, Duration budget, Duration attemptTimeout, Budgeted<T> action) throws Exception {
        long start = System.nanoTime();
        long limit = Math.min(budget.toNanos(), maxBlockNanos);
        Exception last = null;
        for (long attempt = 0; ; attempt++) {
            long remaining = limit - (System.nanoTime() - start);
            if (remaining < MIN_ATTEMPT_NANOS) {
                throw new StillUnavailableException(what + " still failing after "
                        + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms (deadline "
                        + Duration.ofNanos(limit).toMillis() + " ms): " + (last != null ? last : "no time left before the deadline"),
                        last);
            }
            try {
                return action.call(Duration.ofNanos(Math.min(remaining, attemptTimeout.toNanos())));
            } catch (Exception e) {
                if (!isTransient(e)) {
                    throw e;
                }
                last = e;
                long left = limit - (System.nanoTime() - start);
                Thread.sleep(Math.min(BACKOFF.backoff(attempt), Math.max(0, left / 1_000_000)));
            }
        }
    }

    /** The longest a single call may retry in place. */
    Duration maxBlock() {
        return Duration.ofNanos(maxBlockNanos);
    }

    /** How long stream-thread failures have followed each other without a record handled, or empty. */
    Optional<Duration> failingFor() {
        long since = failingSince.get();
        return since == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(System.nanoTime() - since));
    }

    /** Whether failures have lasted past the give-up bound (the service is stopping or stopped). */
    boolean gaveUp() {
        return gaveUp;
    }

    /** A record was fully handled: the next thread failure starts the restart delays over. */
    void succeeded() {
        if (failedThreads.get() != 0) {
            failedThreads.set(0);
        }
        if (failingSince.get() != 0) {
            failingSince.set(0);
        }
    }

    /**
     * Records a stream-thread failure. Returns how long the failures have lasted without a record
     * handled in between when that exceeds the give-up bound, else empty (replace the thread).
     */
    Optional<Duration> failedFor() {
        long now = System.nanoTime();
        failingSince.compareAndSet(0, now);
        long lasted = now - failingSince.get();
        if (lasted > giveUpNanos) {
            gaveUp = true;
            return Optional.of(Duration.ofNanos(lasted));
        }
        return Optional.empty();
    }

    /**
     * How long to wait before replacing a failed stream thread: 1 s, 2 s, 4 s... up to the maximum while
     * failures follow each other without a record handled in between.
     */
    Duration nextRestartDelay() {
        int n = failedThreads.getAndIncrement();
        return Duration.ofMillis(Math.min(maxRestartDelayMs, RESTART_BACKOFF.backoff(n)));
    }

    /** A dependency stayed unavailable; the task fails and its records are read again after a backoff. */
    static final class StillUnavailableException extends RetriableException {
        StillUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
