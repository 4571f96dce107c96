package io.eventflow.payments;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventflow.payments.PaymentCommand.DisputePayment;
import io.eventflow.payments.PaymentCommand.FailPayment;
import io.eventflow.payments.PaymentCommand.ProcessPayment;
import io.eventflow.payments.PaymentCommand.RefundPayment;
import io.eventflow.payments.PaymentEvent.PaymentDisputed;
import io.eventflow.payments.PaymentEvent.PaymentFailed;
import io.eventflow.payments.PaymentEvent.PaymentProcessed;
import io.eventflow.payments.PaymentEvent.PaymentRefunded;
import io.eventflow.aggregate.Decision;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaymentsTest {
    private static final PaymentProcessed PROCESSED = new PaymentProcessed("p-1", 10_000, "EUR", "org-1", "u-1");

    private static PaymentState given(PaymentEvent... events) {
        return Fold.evolveAll(PaymentState.initial("p-1"), List.of(events));
    }

    private static PaymentRejection rejected(Decision<PaymentEvent> d) {
        assertThat(d).isInstanceOf(Decision.Rejected.class);
        return PaymentRejection.valueOf(((Decision.Rejected<PaymentEvent>) d).rejection().code());
    }

    @Test
    void processCreatesAPayment() {
        Decision<PaymentEvent> d = Payments.process(given(), new ProcessPayment("p-1", 10_000, "EUR", "org-1", "u-1"));
        assertThat(d).isEqualTo(Decision.accept(PROCESSED));
        assertThat(Fold.evolve(given(), PROCESSED).version()).isEqualTo(1);
    }

    @Test
    void processRejectsBadAmountCurrencyAndDuplicates() {
        assertThat(rejected(Payments.process(given(), new ProcessPayment("p-1", 0, "EUR", "o", "u")))).isEqualTo(PaymentRejection.INVALID_AMOUNT);
        assertThat(rejected(Payments.process(given(), new ProcessPayment("p-1", 5, "EURO", "o", "u")))).isEqualTo(PaymentRejection.UNSUPPORTED_CURRENCY);
        assertThat(rejected(Payments.process(given(PROCESSED), new ProcessPayment("p-1", 5, "EUR", "o", "u")))).isEqualTo(PaymentRejection.ALREADY_PROCESSED);
    }

    @Test
    void failMarksAProcessedPaymentFailed() {
        Decision<PaymentEvent> d = Payments.fail(given(PROCESSED), new FailPayment("p-1", "card declined"));
        assertThat(d).isEqualTo(Decision.accept(new PaymentFailed("p-1", "card declined")));
    }

    @Test
    void failIsRejectedWhenMissingFailedOrRefunded() {
        assertThat(rejected(Payments.fail(given(), new FailPayment("p-1", "x")))).isEqualTo(PaymentRejection.PAYMENT_NOT_FOUND);
        assertThat(rejected(Payments.fail(given(PROCESSED, new PaymentFailed("p-1", "x")), new FailPayment("p-1", "y"))))
                .isEqualTo(PaymentRejection.PAYMENT_ALREADY_FAILED);
        assertThat(rejected(Payments.fail(given(PROCESSED, new PaymentRefunded("p-1", 1)), new FailPayment("p-1", "y"))))
                .isEqualTo(PaymentRejection.PAYMENT_REFUNDED);
    }

    @Test
    void partialRefundsAddUpAndAFullRefundReachesRefunded() {
        PaymentState partly = given(PROCESSED, new PaymentRefunded("p-1", 4_000));
        assertThat(partly.status()).isEqualTo(PaymentState.Status.PROCESSED);
        assertThat(partly.refundedTotal()).isEqualTo(4_000);

        assertThat(rejected(Payments.refund(partly, new RefundPayment("p-1", 6_001)))).isEqualTo(PaymentRejection.REFUND_EXCEEDS_AMOUNT);
        Decision<PaymentEvent> rest = Payments.refund(partly, new RefundPayment("p-1", 6_000));
        assertThat(rest).isEqualTo(Decision.accept(new PaymentRefunded("p-1", 6_000)));

        PaymentState full = Fold.evolve(partly, new PaymentRefunded("p-1", 6_000));
        assertThat(full.status()).isEqualTo(PaymentState.Status.REFUNDED);
        assertThat(full.version()).isEqualTo(3);
        assertThat(rejected(Payments.refund(full, new RefundPayment("p-1", 1)))).isEqualTo(PaymentRejection.REFUND_EXCEEDS_AMOUNT);
    }

    @Test
    void refundIsRejectedWhenMissingFailedOrNotPositive() {
        assertThat(rejected(Payments.refund(given(), new RefundPayment("p-1", 1)))).isEqualTo(PaymentRejection.PAYMENT_NOT_FOUND);
        assertThat(rejected(Payments.refund(given(PROCESSED, new PaymentFailed("p-1", "x")), new RefundPayment("p-1", 1))))
                .isEqualTo(PaymentRejection.PAYMENT_ALREADY_FAILED);
        assertThat(rejected(Payments.refund(given(PROCESSED), new RefundPayment("p-1", 0)))).isEqualTo(PaymentRejection.INVALID_AMOUNT);
    }

    @Test
    void theDescriptionGoesFromTheCommandToTheEventTheStateAndTheReadModel() {
        Decision<PaymentEvent> d = Payments.process(given(),
                new ProcessPayment("p-1", 10_000, "EUR", "org-1", "u-1", "order 42"));
        PaymentProcessed described = new PaymentProcessed("p-1", 10_000, "EUR", "org-1", "u-1", "order 42");
        assertThat(d).isEqualTo(Decision.accept(described));
        PaymentState s = given(described, new PaymentRefunded("p-1", 1));
        assertThat(s.description()).isEqualTo("order 42");
        assertThat(Payments.TYPE.readModel().toDocument(s)).containsEntry("description", "order 42");
        assertThat(Payments.TYPE.readModel().fromDocument(Payments.TYPE.readModel().toDocument(s))).isEqualTo(s);
    }

    @Test
    void disputeIsRecordedOnProcessedAndRefundedPayments() {
        assertThat(Payments.dispute(given(PROCESSED), new DisputePayment("p-1", "not received")))
                .isEqualTo(Decision.accept(new PaymentDisputed("p-1", "not received")));
        PaymentState refunded = given(PROCESSED, new PaymentRefunded("p-1", 10_000));
        assertThat(Payments.decide(refunded, new DisputePayment("p-1", "charged twice")))
                .isEqualTo(Decision.accept(new PaymentDisputed("p-1", "charged twice")));

        PaymentState disputed = Fold.evolve(refunded, new PaymentDisputed("p-1", "charged twice"));
        assertThat(disputed.status()).isEqualTo(PaymentState.Status.REFUNDED);
        assertThat(disputed.disputeReason()).isEqualTo("charged twice");
        assertThat(disputed.disputedAt()).isEqualTo(Fold.T0.plusSeconds(3));
        assertThat(disputed.version()).isEqualTo(3);
        var doc = Payments.TYPE.readModel().toDocument(disputed);
        assertThat(doc).containsEntry("disputeReason", "charged twice").containsEntry("disputedAt", "2026-01-01T00:00:03Z");
        assertThat(Payments.TYPE.readModel().fromDocument(doc)).isEqualTo(disputed);
    }

    @Test
    void disputeIsRejectedWhenMissingOrFailed() {
        assertThat(rejected(Payments.dispute(given(), new DisputePayment("p-1", "x")))).isEqualTo(PaymentRejection.PAYMENT_NOT_FOUND);
        assertThat(rejected(Payments.dispute(given(PROCESSED, new PaymentFailed("p-1", "x")), new DisputePayment("p-1", "y"))))
                .isEqualTo(PaymentRejection.PAYMENT_ALREADY_FAILED);
    }

    @Test
    void theNewCommandAndEventCrossTheAvroEdge() {
        var avro = Payments.TYPE.avro();
        assertThat(avro.command(new io.eventflow.schemas.payment.DisputePayment("p-1", "why")))
                .isEqualTo(new DisputePayment("p-1", "why"));
        var record = avro.event(new PaymentDisputed("p-1", "why"));
        assertThat(record).isEqualTo(new io.eventflow.schemas.payment.PaymentDisputed("p-1", "why"));
        assertThat(avro.event(record)).isEqualTo(new PaymentDisputed("p-1", "why"));
        assertThat(avro.event(avro.event(new PaymentFailed("p-1", "declined"))))
                .isEqualTo(new PaymentFailed("p-1", "declined"));
        assertThat(avro.event(avro.event(new PaymentProcessed("p-1", 5, "EUR", "o", "u", "d"))))
                .isEqualTo(new PaymentProcessed("p-1", 5, "EUR", "o", "u", "d"));
    }

    @Test
    void theStateCodecKeepsTheNewFieldsAndReadsTheOldFormats() throws Exception {
        var codec = Payments.TYPE.stateCodec();
        PaymentState s = given(new PaymentProcessed("p-1", 10_000, "EUR", "org-1", "u-1", "order 42"),
                new PaymentDisputed("p-1", "charged twice"));
        var bytes = new java.io.ByteArrayOutputStream();
        codec.write(new java.io.DataOutputStream(bytes), s);
        assertThat(codec.encodedSize(s)).isEqualTo(bytes.size());
        assertThat(codec.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())),
                codec.format())).isEqualTo(s);
    }
}
