package io.eventflow.query.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FreshReadsTest {
    private static long version(Object answer) {
        return ((Number) ((Map<?, ?>) answer).get("version")).longValue();
    }

    @Test
    void answersOnceTheVersionIsVisible() {
        FreshReads fresh = new FreshReads(Duration.ofSeconds(5), 4, Clock.systemUTC(), new SimpleMeterRegistry());
        AtomicInteger asks = new AtomicInteger();
        Object answer = fresh.await(() -> {
            int n = asks.incrementAndGet();
            return n == 1 ? Optional.empty() : Optional.of(Map.of("version", (long) n));
        }, FreshReadsTest::version, 3, "payment 'p'");
        assertThat(version(answer)).isEqualTo(3);
        assertThat(asks.get()).isEqualTo(3);
    }

    @Test
    void aVersionThatDoesNotComeIsA504WithRetryAfter() {
        FreshReads fresh = new FreshReads(Duration.ofMillis(150), 4, Clock.systemUTC(), new SimpleMeterRegistry());
        assertThatThrownBy(() -> fresh.await(() -> Optional.of(Map.of("version", 2L)), FreshReadsTest::version, 3,
                "payment 'p'")).isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.status()).isEqualTo(504);
                    assertThat(e.retryAfterSeconds()).isEqualTo(1L);
                    assertThat(e.getMessage()).contains("payment 'p'", "version 3", "at version 2");
                });
    }

    @Test
    void aZeroTimeoutAsksOnce() {
        FreshReads fresh = new FreshReads(Duration.ZERO, 4, Clock.systemUTC(), new SimpleMeterRegistry());
        AtomicInteger asks = new AtomicInteger();
        assertThatThrownBy(() -> fresh.await(() -> {
            asks.incrementAndGet();
            return Optional.empty();
        }, FreshReadsTest::version, 1, "x")).isInstanceOf(ProblemException.class);
        assertThat(asks.get()).isEqualTo(1);
    }

    @Test
    void tooManyWaitingReadsAreA503() throws Exception {
        FreshReads fresh = new FreshReads(Duration.ofSeconds(10), 1, Clock.systemUTC(), new SimpleMeterRegistry());
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> fresh.await(() -> {
            waiting.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of(Map.of("version", 1L));
        }, FreshReadsTest::version, 1, "x"));
        holder.start();
        waiting.await();
        assertThatThrownBy(() -> fresh.await(() -> Optional.of(Map.of("version", 1L)), FreshReadsTest::version, 1, "y"))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.status()).isEqualTo(503));
        release.countDown();
        holder.join();
        assertThat(fresh.await(() -> Optional.of(Map.of("version", 1L)), FreshReadsTest::version, 1, "y")).isNotNull();
    }
}
