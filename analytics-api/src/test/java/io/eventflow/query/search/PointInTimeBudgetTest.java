package io.eventflow.query.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventflow.query.auth.Tenant;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class PointInTimeBudgetTest {
    private static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aTenantHoldsAtMostItsShareUntilOneClosesOrExpires() {
        MovableClock clock = new MovableClock();
        PointInTimeBudget budget = new PointInTimeBudget(2, Duration.ofMinutes(2), clock);
        Tenant a = Tenant.of("org-a");
        budget.used(a, "p1");
        budget.used(a, "p2");
        assertThat(budget.mayOpen(a)).isFalse();
        assertThat(budget.mayOpen(Tenant.of("org-b"))).isTrue();
        budget.closed(a, "p1");
        assertThat(budget.mayOpen(a)).isTrue();
        budget.used(a, "p3");
        assertThat(budget.mayOpen(a)).isFalse();
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        budget.used(a, "p3"); // a page read through p3 keeps it alive
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        assertThat(budget.mayOpen(a)).as("p2 expired, p3 was used a minute ago").isTrue();
    }
}
