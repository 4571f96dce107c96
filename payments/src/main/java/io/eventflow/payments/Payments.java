package io.eventflow.payments;

import static io.eventflow.payments.PaymentRejection.ALREADY_PROCESSED;
import static io.eventflow.payments.PaymentRejection.INVALID_AMOUNT;
import static io.eventflow.payments.PaymentRejection.PAYMENT_ALREADY_FAILED;
import static io.eventflow.payments.PaymentRejection.PAYMENT_NOT_FOUND;
import static io.eventflow.payments.PaymentRejection.PAYMENT_REFUNDED;
import static io.eventflow.payments.PaymentRejection.REFUND_EXCEEDS_AMOUNT;
import static io.eventflow.payments.PaymentRejection.UNSUPPORTED_CURRENCY;

import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.Decider;
import io.eventflow.aggregate.Decision;
import io.eventflow.aggregate.Recorded;
import io.eventflow.payments.PaymentCommand.DisputePayment;
import io.eventflow.payments.PaymentCommand.FailPayment;
import io.eventflow.payments.PaymentCommand.ProcessPayment;
import io.eventflow.payments.PaymentCommand.RefundPayment;
import io.eventflow.payments.PaymentEvent.PaymentDisputed;
import io.eventflow.payments.PaymentEvent.PaymentFailed;
import io.eventflow.payments.PaymentEvent.PaymentProcessed;
import io.eventflow.payments.PaymentEvent.PaymentRefunded;
import io.eventflow.payments.PaymentState.Status;
import java.time.Instant;
import java.util.Currency;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The payment aggregate as pure functions: {@code decide} per command type, and {@link #evolve},
 * the one fold of payments. {@link #TYPE} is what services are wired with.
 */
public final class Payments {
    /** The payment aggregate type: envelope name {@code Payment}, topics {@code payment-*}, read model {@code payments}. */
    public static final AggregateType<PaymentState, PaymentCommand, PaymentEvent> TYPE = new PaymentType();

    private static final Set<String> ISO_4217 = Currency.getAvailableCurrencies().stream()
            .map(Currency::getCurrencyCode).collect(Collectors.toUnmodifiableSet());

    private Payments() {
    }

    public static Decision<PaymentEvent> process(PaymentState state, ProcessPayment c) {
        if (state.exists()) {
            return Decision.reject(ALREADY_PROCESSED, "payment " + c.paymentId() + " already exists (" + state.status() + ")");
        }
        if (c.amount() <= 0) {
            return Decision.reject(INVALID_AMOUNT, "amount must be greater than 0, got " + c.amount());
        }
        if (c.currency() == null || !ISO_4217.contains(c.currency())) {
            return Decision.reject(UNSUPPORTED_CURRENCY, "currency '" + c.currency() + "' is not an ISO 4217 code");
        }
        return Decision.accept(new PaymentProcessed(c.paymentId(), c.amount(), c.currency(), c.organizationId(), c.userId(),
                c.description()));
    }

    public static Decision<PaymentEvent> fail(PaymentState state, FailPayment c) {
        if (!state.exists()) {
            return Decision.reject(PAYMENT_NOT_FOUND, "payment " + c.paymentId() + " not found");
        }
        if (state.status() == Status.FAILED) {
            return Decision.reject(PAYMENT_ALREADY_FAILED, "payment " + c.paymentId() + " has already failed");
        }
        if (state.refundedTotal() > 0) {
            return Decision.reject(PAYMENT_REFUNDED, "payment " + c.paymentId() + " has been refunded and cannot fail");
        }
        return Decision.accept(new PaymentFailed(c.paymentId(), c.error()));
    }

    public static Decision<PaymentEvent> refund(PaymentState state, RefundPayment c) {
        if (!state.exists()) {
            return Decision.reject(PAYMENT_NOT_FOUND, "payment " + c.paymentId() + " not found");
        }
        if (state.status() == Status.FAILED) {
            return Decision.reject(PAYMENT_ALREADY_FAILED, "payment " + c.paymentId() + " has failed and cannot be refunded");
        }
        if (c.refundAmount() <= 0) {
            return Decision.reject(INVALID_AMOUNT, "refundAmount must be greater than 0, got " + c.refundAmount());
        }
        long remaining = state.amount() - state.refundedTotal();
        if (c.refundAmount() > remaining) {
            return Decision.reject(REFUND_EXCEEDS_AMOUNT, "refund of " + c.refundAmount() + " exceeds the "
                    + remaining + " " + state.currency() + " minor units left to refund");
        }
        return Decision.accept(new PaymentRefunded(c.paymentId(), c.refundAmount()));
    }

    /**
     * A dispute is recorded on a processed or (partly or fully) refunded payment; a failed or missing
     * one has nothing to dispute. A second dispute is recorded too: the last reason wins.
     */
    public static Decision<PaymentEvent> dispute(PaymentState state, DisputePayment c) {
        if (!state.exists()) {
            return Decision.reject(PAYMENT_NOT_FOUND, "payment " + c.paymentId() + " not found");
        }
        if (state.status() == Status.FAILED) {
            return Decision.reject(PAYMENT_ALREADY_FAILED, "payment " + c.paymentId() + " has failed and cannot be disputed");
        }
        return Decision.accept(new PaymentDisputed(c.paymentId(), c.reason()));
    }

    /**
     * {@code decide(state, command) -> events | rejection} for every payment command, through the
     * handlers {@link #TYPE}'s domain registers: the table the command-service dispatches with.
     */
    public static Decision<PaymentEvent> decide(PaymentState state, PaymentCommand command) {
        return Deciding.DECIDER.decide(state, command);
    }

    /** Built on first use: {@link #TYPE} must be initialised first. */
    private static final class Deciding {
        static final Decider<PaymentState, PaymentCommand, PaymentEvent> DECIDER = Decider.of(TYPE.domain());
    }

    /**
     * Applies one event: the one fold of payments. The version becomes the event's. A refund that
     * reaches the amount makes the payment {@code refunded}; a dispute keeps the status and records
     * when and why.
     */
    public static PaymentState evolve(PaymentState s, Recorded<? extends PaymentEvent> recorded) {
        long v = recorded.version();
        Instant t = recorded.timestamp();
        PaymentEvent event = recorded.event();
        if (event instanceof PaymentProcessed e) {
            return new PaymentState(recorded.aggregateId(), Status.PROCESSED, e.amount(), e.currency(),
                    e.organizationId(), e.userId(), 0, 0, null, t, null, null, t, v, e.description(), null, null);
        }
        if (event instanceof PaymentFailed e) {
            return new PaymentState(recorded.aggregateId(), Status.FAILED, s.amount(), s.currency(), s.organizationId(),
                    s.userId(), s.refundedTotal(), s.refundCount(), e.error(), s.processedAt(), t, s.refundedAt(), t, v,
                    s.description(), s.disputedAt(), s.disputeReason());
        }
        if (event instanceof PaymentRefunded e) {
            long refunded = s.refundedTotal() + e.refundAmount();
            Status status = s.exists() && refunded >= s.amount() ? Status.REFUNDED : s.status();
            return new PaymentState(recorded.aggregateId(), status, s.amount(), s.currency(), s.organizationId(),
                    s.userId(), refunded, s.refundCount() + 1, s.error(), s.processedAt(), s.failedAt(), t, t, v,
                    s.description(), s.disputedAt(), s.disputeReason());
        }
        if (event instanceof PaymentDisputed e) {
            return new PaymentState(recorded.aggregateId(), s.status(), s.amount(), s.currency(), s.organizationId(),
                    s.userId(), s.refundedTotal(), s.refundCount(), s.error(), s.processedAt(), s.failedAt(),
                    s.refundedAt(), t, v, s.description(), t, e.reason());
        }
        throw new IllegalArgumentException("unknown event " + event);
    }
}
