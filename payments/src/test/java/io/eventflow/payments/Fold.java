package io.eventflow.payments;

import io.eventflow.aggregate.Recorded;
import java.time.Instant;
import java.util.List;

/** Test shorthand: events folded at the next versions, one second apart. */
final class Fold {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private Fold() {
    }

    static PaymentState evolve(PaymentState s, PaymentEvent e) {
        long v = s.version() + 1;
        return Payments.evolve(s, new Recorded<>(e.paymentId(), v, T0.plusSeconds(v), e));
    }

    static PaymentState evolveAll(PaymentState s, List<? extends PaymentEvent> events) {
        for (PaymentEvent e : events) {
            s = evolve(s, e);
        }
        return s;
    }
}
