package io.eventflow.command.payment;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventflow.command.payment.PaymentCommand.FailPayment;
import io.eventflow.command.payment.PaymentCommand.ProcessPayment;
import io.eventflow.command.payment.PaymentCommand.RefundPayment;
import io.eventflow.command.payment.PaymentEvent.PaymentFailed;
import io.eventflow.command.payment.PaymentEvent.PaymentProcessed;
import io.eventflow.command.payment.PaymentEvent.PaymentRefunded;
import io.eventflow.command.payment.Rejection.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaymentsTest {
    private static final PaymentProcessed PROCESSED = new PaymentProcessed("p-1", 10_000, "EUR", "org-1", "u-1");

    private static PaymentState given(PaymentEvent... events) {
        return Payments.evolveAll(PaymentState.initial("p-1"), List.of(events));
    }

    private static Reason rejected(Decision d) {
        assertThat(d).isInstanceOf(Decision.Rejected.class);
        return ((Decision.Rejected) d).rejection().reason();
    }

    @Test
    void processCreatesAPayment() {
        Decision d = Payments.process(given(), new ProcessPayment("p-1", 10_000, "EUR", "org-1", "u-1"));
        assertThat(d).isEqualTo(Decision.accept(PROCESSED));
        assertThat(Payments.evolve(given(), PROCESSED).version()).isEqualTo(1);
    }

    @Test
    void processRejectsBadAmountCurrencyAndDuplicates() {
        assertThat(rejected(Payments.process(given(), new ProcessPayment("p-1", 0, "EUR", "o", "u")))).isEqualTo(Reason.INVALID_AMOUNT);
        assertThat(rejected(Payments.process(given(), new ProcessPayment("p-1", 5, "EURO", "o", "u")))).isEqualTo(Reason.UNSUPPORTED_CURRENCY);
        assertThat(rejected(Payments.process(given(PROCESSED), new ProcessPayment("p-1", 5, "EUR", "o", "u")))).isEqualTo(Reason.ALREADY_PROCESSED);
    }

    @Test
    void failMarksAProcessedPaymentFailed() {
        Decision d = Payments.fail(given(PROCESSED), new FailPayment("p-1", "card declined"));
        assertThat(d).isEqualTo(Decision.accept(new PaymentFailed("p-1", "card declined")));
    }

    @Test
    void failIsRejectedWhenMissingFailedOrRefunded() {
        assertThat(rejected(Payments.fail(given(), new FailPayment("p-1", "x")))).isEqualTo(Reason.PAYMENT_NOT_FOUND);
        assertThat(rejected(Payments.fail(given(PROCESSED, new PaymentFailed("p-1", "x")), new FailPayment("p-1", "y"))))
                .isEqualTo(Reason.PAYMENT_ALREADY_FAILED);
        assertThat(rejected(Payments.fail(given(PROCESSED, new PaymentRefunded("p-1", 1)), new FailPayment("p-1", "y"))))
                .isEqualTo(Reason.PAYMENT_REFUNDED);
    }

    @Test
    void partialRefundsAddUpAndAFullRefundReachesRefunded() {
        PaymentState partly = given(PROCESSED, new PaymentRefunded("p-1", 4_000));
        assertThat(partly.status()).isEqualTo(PaymentState.Status.PROCESSED);
        assertThat(partly.refundedTotal()).isEqualTo(4_000);

        assertThat(rejected(Payments.refund(partly, new RefundPayment("p-1", 6_001)))).isEqualTo(Reason.REFUND_EXCEEDS_AMOUNT);
        Decision rest = Payments.refund(partly, new RefundPayment("p-1", 6_000));
        assertThat(rest).isEqualTo(Decision.accept(new PaymentRefunded("p-1", 6_000)));

        PaymentState full = Payments.evolve(partly, new PaymentRefunded("p-1", 6_000));
        assertThat(full.status()).isEqualTo(PaymentState.Status.REFUNDED);
        assertThat(full.version()).isEqualTo(3);
        assertThat(rejected(Payments.refund(full, new RefundPayment("p-1", 1)))).isEqualTo(Reason.REFUND_EXCEEDS_AMOUNT);
    }

    @Test
    void refundIsRejectedWhenMissingFailedOrNotPositive() {
        assertThat(rejected(Payments.refund(given(), new RefundPayment("p-1", 1)))).isEqualTo(Reason.PAYMENT_NOT_FOUND);
        assertThat(rejected(Payments.refund(given(PROCESSED, new PaymentFailed("p-1", "x")), new RefundPayment("p-1", 1))))
                .isEqualTo(Reason.PAYMENT_ALREADY_FAILED);
        assertThat(rejected(Payments.refund(given(PROCESSED), new RefundPayment("p-1", 0)))).isEqualTo(Reason.INVALID_AMOUNT);
    }
}
