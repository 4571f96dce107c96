package io.eventflow.payments;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventflow.aggregate.Decision;
import io.eventflow.payments.PaymentCommand.DisputePayment;
import io.eventflow.payments.PaymentCommand.FailPayment;
import io.eventflow.payments.PaymentCommand.ProcessPayment;
import io.eventflow.payments.PaymentCommand.RefundPayment;
import io.eventflow.payments.PaymentEvent.PaymentDisputed;
import io.eventflow.payments.PaymentEvent.PaymentFailed;
import io.eventflow.payments.PaymentEvent.PaymentProcessed;
import io.eventflow.payments.PaymentEvent.PaymentRefunded;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@code decide}/{@code evolve} over random sequences of payment commands. Each
 * property runs {@link #TRIES} sequences from fixed seeds (so a failure reproduces), and a failure
 * reports its seed and the shortest failing prefix of the sequence.
 */
class PaymentsPropertiesTest {
    private static final String ID = "p-1";
    private static final int TRIES = 2_000;
    private static final String[] CURRENCIES = {"EUR", "USD", "JPY", "eur", "EURO", "", "XYZ", null};

    private static long amount(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextLong(-5, 6);
            case 1 -> Long.MAX_VALUE;
            default -> r.nextLong(1, 20_001);
        };
    }

    private static PaymentCommand command(SplittableRandom r) {
        int kind = r.nextInt(9);
        if (kind < 2) {
            return new ProcessPayment(ID, amount(r), CURRENCIES[r.nextInt(CURRENCIES.length)], "org-1", "u-1",
                    r.nextBoolean() ? null : "order " + r.nextInt(100));
        }
        if (kind < 3) {
            return new FailPayment(ID, "declined");
        }
        if (kind < 4) {
            return new DisputePayment(ID, "not received " + r.nextInt(10));
        }
        return new RefundPayment(ID, amount(r));
    }

    private static List<PaymentCommand> sequence(SplittableRandom r) {
        List<PaymentCommand> commands = new ArrayList<>();
        int n = r.nextInt(41);
        for (int i = 0; i < n; i++) {
            commands.add(command(r));
        }
        return commands;
    }

    /** Every accepted event and the state after it, in order. */
    private record Step(PaymentEvent event, PaymentState after) {
    }

    private static List<Step> run(List<PaymentCommand> commands) {
        PaymentState state = PaymentState.initial(ID);
        List<Step> steps = new ArrayList<>();
        for (PaymentCommand c : commands) {
            if (Payments.decide(state, c) instanceof Decision.Accepted<PaymentEvent> accepted) {
                for (PaymentEvent e : accepted.events()) {
                    state = Fold.evolve(state, e);
                    steps.add(new Step(e, state));
                }
            }
        }
        return steps;
    }

    /** Checks {@code property} on many random sequences; on failure, shrinks to the shortest failing prefix. */
    private static void forAll(Consumer<List<PaymentCommand>> property) {
        for (long seed = 0; seed < TRIES; seed++) {
            List<PaymentCommand> commands = sequence(new SplittableRandom(seed));
            try {
                property.accept(commands);
            } catch (AssertionError e) {
                List<PaymentCommand> shortest = commands;
                for (int n = 0; n < commands.size(); n++) {
                    try {
                        property.accept(commands.subList(0, n));
                    } catch (AssertionError shorter) {
                        shortest = commands.subList(0, n);
                        break;
                    }
                }
                throw new AssertionError("property fails for seed " + seed + "; shortest failing prefix: " + shortest, e);
            }
        }
    }

    @Test
    void versionsAreContiguousFromOne() {
        forAll(commands -> {
            List<Step> steps = run(commands);
            for (int i = 0; i < steps.size(); i++) {
                assertThat(steps.get(i).after().version()).isEqualTo(i + 1);
            }
        });
    }

    @Test
    void theSumOfRefundsNeverExceedsTheAmount() {
        forAll(commands -> {
            long amount = 0;
            long refunded = 0;
            for (Step s : run(commands)) {
                if (s.event() instanceof PaymentProcessed p) {
                    amount = p.amount();
                }
                if (s.event() instanceof PaymentRefunded r) {
                    assertThat(r.refundAmount()).isPositive();
                    refunded += r.refundAmount();
                }
                assertThat(refunded).isLessThanOrEqualTo(amount);
                assertThat(s.after().refundedTotal()).isEqualTo(refunded);
                assertThat(s.after().status() == PaymentState.Status.REFUNDED).isEqualTo(refunded == amount && amount > 0);
            }
        });
    }

    @Test
    void aPaymentIsCreatedOnceWithAPositiveAmountBeforeAnythingElse() {
        forAll(commands -> {
            List<Step> steps = run(commands);
            assertThat(steps.stream().filter(s -> s.event() instanceof PaymentProcessed).count()).isLessThanOrEqualTo(1);
            if (!steps.isEmpty()) {
                assertThat(steps.get(0).event()).isInstanceOf(PaymentProcessed.class);
                assertThat(((PaymentProcessed) steps.get(0).event()).amount()).isPositive();
            }
        });
    }

    @Test
    void aFailedPaymentIsNeverRefundedAndARefundedOneNeverFails() {
        forAll(commands -> {
            boolean failed = false;
            boolean refunded = false;
            for (Step s : run(commands)) {
                if (s.event() instanceof PaymentFailed) {
                    assertThat(refunded).isFalse();
                    assertThat(failed).isFalse();
                    failed = true;
                }
                if (s.event() instanceof PaymentRefunded) {
                    assertThat(failed).isFalse();
                    refunded = true;
                }
            }
        });
    }

    @Test
    void onlyProcessedOrRefundedPaymentsAreDisputedAndADisputeChangesNothingElse() {
        forAll(commands -> {
            PaymentState before = PaymentState.initial(ID);
            for (Step s : run(commands)) {
                if (s.event() instanceof PaymentDisputed d) {
                    assertThat(before.status()).isIn(PaymentState.Status.PROCESSED, PaymentState.Status.REFUNDED);
                    assertThat(s.after().disputeReason()).isEqualTo(d.reason());
                    assertThat(s.after().disputedAt()).isEqualTo(s.after().updatedAt());
                    assertThat(s.after().status()).isEqualTo(before.status());
                    assertThat(s.after().refundedTotal()).isEqualTo(before.refundedTotal());
                    assertThat(s.after().amount()).isEqualTo(before.amount());
                    assertThat(s.after().description()).isEqualTo(before.description());
                }
                before = s.after();
            }
        });
    }

    @Test
    void theDescriptionIsTheProcessedEventsForTheWholeLife() {
        forAll(commands -> {
            String description = null;
            for (Step s : run(commands)) {
                if (s.event() instanceof PaymentProcessed p) {
                    description = p.description();
                }
                assertThat(s.after().description()).isEqualTo(description);
            }
        });
    }
}
