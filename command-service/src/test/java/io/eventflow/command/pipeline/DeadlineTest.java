package io.eventflow.command.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventflow.payments.PaymentState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.junit.jupiter.api.Test;

/**
 * A slow event store holds a stream thread, and its open transaction, for at most the processing
 * deadline: each attempt gets at most the request timeout, and all of a thread's Elasticsearch
 * time between two polls shares the deadline.
 */
class DeadlineTest {
    private static final Duration DEADLINE = Duration.ofMillis(1_000);
    private static final Duration REQUEST = Duration.ofMillis(300);

    /** An event store that never answers: each call waits out the budget it was given, then times out. */
    private static final class Silent implements AggregateHistory<PaymentState> {
        final List<Duration> budgets = new CopyOnWriteArrayList<>();

        @Override
        public Map<String, PaymentState> load(Collection<String> ids) throws Exception {
            throw new AssertionError("called without a budget");
        }

        @Override
        public Map<String, PaymentState> load(Collection<String> ids, Duration budget) throws Exception {
            budgets.add(budget);
            Thread.sleep(Math.max(0, budget.toMillis()));
            throw new SocketTimeoutException("no answer within " + budget.toMillis() + " ms");
        }
    }

    @Test
    void retriesInPlaceWithinTheDeadlineEachAttemptBoundedByTheRequestTimeout() {
        TransientRetry retry = new TransientRetry(DEADLINE, Duration.ofMinutes(5));
        Silent history = new Silent();
        long start = System.nanoTime();
        assertThatThrownBy(() -> retry.callWithin("loading p-1", DEADLINE, REQUEST,
                budget -> history.load(List.of("p-1"), budget)))
                .isInstanceOf(TransientRetry.StillUnavailableException.class).hasMessageContaining("p-1");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        // Generous upper bounds: this machine is shared and noisy; an unbounded retry would take minutes.
        assertThat(tookMs).isBetween(DEADLINE.toMillis() - 100, DEADLINE.toMillis() * 3);
        assertThat(history.budgets).hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(b -> assertThat(b).isLessThanOrEqualTo(REQUEST));
    }

    @Test
    void aPermanentFailureIsNotRetried() {
        TransientRetry retry = new TransientRetry(DEADLINE, Duration.ofMinutes(5));
        int[] calls = {0};
        assertThatThrownBy(() -> retry.callWithin("loading p-1", DEADLINE, REQUEST, budget -> {
            calls[0]++;
            throw new IllegalStateException("history has a gap");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void theRecordsOfOnePollShareOneDeadlineAndTheNextPollStartsAfreshOne() throws Exception {
        TransientRetry retry = new TransientRetry(DEADLINE, Duration.ofMinutes(5));
        Silent history = new Silent();
        var metrics = new SimpleMeterRegistry();
        metrics.counter("eventflow.commands.hydrations", "source", "search").increment(); // class loading outside the clock
        PollBudget budget = new PollBudget();
        Hydration<PaymentState> hydration = new Hydration<>(history, PaymentState::initial, "commands", retry, REQUEST,
                budget, metrics);
        // Another aggregate type's hydration on the same thread: it shares the thread's deadline.
        Hydration<PaymentState> otherType = new Hydration<>(history, PaymentState::initial, "other-commands", retry,
                REQUEST, budget, metrics);

        long start = System.nanoTime();
        Exception first = failureOf(hydration, "p-1");
        long second = System.nanoTime();
        // The next record of the same poll finds the deadline spent: it fails at once, no more waiting.
        Exception next = failureOf(hydration, "p-2");
        long end = System.nanoTime();
        assertThat(first).isInstanceOf(TransientRetry.StillUnavailableException.class);
        assertThat(next).isInstanceOf(TransientRetry.StillUnavailableException.class).hasMessageContaining("no time left");
        assertThat((end - start) / 1_000_000).isLessThan(DEADLINE.toMillis() * 3);
        // A second record with its own deadline would wait about DEADLINE again.
        assertThat((end - second) / 1_000_000).isLessThan(DEADLINE.toMillis() / 2);
        assertThat(failureOf(otherType, "w-1")).as("another type's record in the same poll")
                .isInstanceOf(TransientRetry.StillUnavailableException.class).hasMessageContaining("no time left");

        PollBudget.onPoll(budget, List.of(hydration, otherType), ConsumerRecords.empty());
        int before = history.budgets.size();
        assertThatThrownBy(() -> hydration.load("p-3")).isInstanceOf(TransientRetry.StillUnavailableException.class);
        assertThat(history.budgets.size()).as("attempts after a new poll").isGreaterThan(before);
    }

    private static Exception failureOf(Hydration<?> hydration, String id) {
        try {
            hydration.load(id);
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    @Test
    void aRestartDelayFitsInWhatTheDeadlineLeavesOfTheTransactionTimeout() {
        var limits = new CommandTopology.Limits(new Idempotency(Duration.ofDays(1), 10, Idempotency.DEFAULT_MAX_BYTES),
                Duration.ofMinutes(5), Duration.ofSeconds(4), Duration.ofSeconds(2), Duration.ofSeconds(10));
        assertThat(limits.maxRestartDelay()).isEqualTo(Duration.ofSeconds(2));
        TransientRetry retry = new TransientRetry(Duration.ofSeconds(4), Duration.ofMinutes(5), limits.maxRestartDelay());
        for (int i = 0; i < 8; i++) {
            assertThat(retry.nextRestartDelay()).isLessThanOrEqualTo(Duration.ofSeconds(2));
        }
    }

    @Test
    void ioFailuresAreTransient() {
        assertThat(TransientRetry.isTransient(new IOException("connection reset"))).isTrue();
    }
}
