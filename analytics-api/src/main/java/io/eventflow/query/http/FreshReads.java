package io.eventflow.query.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.utils.ExponentialBackoff;

/**
 * Reads that wait for a version: a client that wrote through a command knows the version its
 * command produced (the command result carries it) and asks with {@code minVersion}; the answer
 * comes once the read model or the history shows that version, straight from Elasticsearch (never
 * the query cache), or, after the configured wait, a 504 problem with Retry-After. Polls back off
 * exponentially from 20 ms to 250 ms. At most a configured number of reads wait at once (each holds
 * an HTTP thread); one more answers 503 with Retry-After. Waits are timed as
 * {@code eventflow.api.read.wait{outcome}}. Thread-safe.
 */
public final class FreshReads {
    private final Duration timeout;
    private final Semaphore waiting;
    private final Clock clock;
    private final ExponentialBackoff backoff = new ExponentialBackoff(20, 2, 250, 0.2);
    private final Timer reached;
    private final Timer timedOut;

    /**
     * @param timeout how long one read may wait (zero: answer at once, with 504 if the version is not there)
     * @param maxConcurrent reads that may wait at once
     */
    public FreshReads(Duration timeout, int maxConcurrent, Clock clock, MeterRegistry metrics) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.waiting = new Semaphore(maxConcurrent);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.reached = timer(metrics, "reached");
        this.timedOut = timer(metrics, "timed_out");
    }

    private static Timer timer(MeterRegistry metrics, String outcome) {
        return Timer.builder("eventflow.api.read.wait").description("Reads with minVersion: how long they waited")
                .tag("outcome", outcome).publishPercentileHistogram().register(metrics);
    }

    /**
     * The {@code version} field of an answer that is a JSON object: a read-model document's, or a
     * history's (its last visible event's).
     */
    public static long versionField(Object answer) {
        return ((Number) ((java.util.Map<?, ?>) answer).get("version")).longValue();
    }

    /**
     * The first answer of {@code ask} whose version is at least {@code minVersion}.
     *
     * @param ask one fresh read; empty while there is nothing to show yet
     * @param version the version an answer shows
     * @param what names the document in the 504's detail, e.g. "payment 'p-1'"
     * @throws ProblemException 504 when the version is not reached in time, 503 when too many reads wait
     */
    public Object await(Supplier<Optional<Object>> ask, ToLongFunction<Object> version, long minVersion, String what) {
        if (!waiting.tryAcquire()) {
            throw new ProblemException(503, "Service Unavailable", "too many reads are waiting for a version; "
                    + "retry later", "minVersion", null, 1L);
        }
        long started = System.nanoTime();
        try {
            Instant deadline = clock.instant().plus(timeout);
            long seen = -1;
            for (int attempt = 0; ; attempt++) {
                Optional<Object> answer = ask.get();
                if (answer.isPresent()) {
                    seen = version.applyAsLong(answer.get());
                    if (seen >= minVersion) {
                        reached.record(Duration.ofNanos(System.nanoTime() - started));
                        return answer.get();
                    }
                }
                long pause = backoff.backoff(attempt);
                long left = Duration.between(clock.instant(), deadline).toMillis();
                if (left <= 0) {
                    break;
                }
                Thread.sleep(Math.min(pause, left));
            }
            timedOut.record(Duration.ofNanos(System.nanoTime() - started));
            throw new ProblemException(504, "Gateway Timeout", what + " has not reached version " + minVersion
                    + " within " + timeout.toMillis() + " ms (" + (seen < 0 ? "it is not visible yet" : "it is at version "
                    + seen) + "); the event may still be on its way: retry", "minVersion", null, 1L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(503, "Service Unavailable", "the server is stopping; retry", null, null, 1L);
        } finally {
            waiting.release();
        }
    }
}
