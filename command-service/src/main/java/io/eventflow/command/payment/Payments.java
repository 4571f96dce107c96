package io.eventflow.command.payment;

import static io.eventflow.command.payment.Rejection.Reason.ALREADY_PROCESSED;
import static io.eventflow.command.payment.Rejection.Reason.INVALID_AMOUNT;
import static io.eventflow.command.payment.Rejection.Reason.PAYMENT_ALREADY_FAILED;
import static io.eventflow.command.payment.Rejection.Reason.PAYMENT_NOT_FOUND;
import static io.eventflow.command.payment.Rejection.Reason.PAYMENT_REFUNDED;
import static io.eventflow.command.payment.Rejection.Reason.REFUND_EXCEEDS_AMOUNT;
import static io.eventflow.command.payment.Rejection.Reason.UNSUPPORTED_CURRENCY;

import io.eventflow.command.payment.PaymentCommand.FailPayment;
import io.eventflow.command.payment.PaymentCommand.ProcessPayment;
import io.eventflow.command.payment.PaymentCommand.RefundPayment;
import io.eventflow.command.payment.PaymentEvent.PaymentFailed;
import io.eventflow.command.payment.PaymentEvent.PaymentProcessed;
import io.eventflow.command.payment.PaymentEvent.PaymentRefunded;
import io.eventflow.command.payment.PaymentState.Status;
import java.util.Currency;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The payment aggregate as pure functions: {@code decide} per command type, and {@code evolve}. */
public final class Payments {
    private static final Set<String> ISO_4217 = Currency.getAvailableCurrencies().stream()
            .map(Currency::getCurrencyCode).collect(Collectors.toUnmodifiableSet());

    private Payments() {
    }

    public static Decision process(PaymentState state, ProcessPayment c) {
        if (state.exists()) {
            return Decision.reject(ALREADY_PROCESSED, "payment " + c.paymentId() + " already exists (" + state.status() + ")");
        }
        if (c.amount() <= 0) {
            return Decision.reject(INVALID_AMOUNT, "amount must be greater than 0, got " + c.amount());
        }
        if (c.currency() == null || !ISO_4217.contains(c.currency())) {
            return Decision.reject(UNSUPPORTED_CURRENCY, "currency '" + c.currency() + "' is not an ISO 4217 code");
        }
        return Decision.accept(new PaymentProcessed(c.paymentId(), c.amount(), c.currency(), c.organizationId(), c.userId()));
    }

    public static Decision fail(PaymentState state, FailPayment c) {
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

    public static Decision refund(PaymentState state, RefundPayment c) {
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

    /** {@code decide(state, command) -> events | rejection} for every payment command. */
    public static Decision decide(PaymentState state, PaymentCommand command) {
        if (command instanceof ProcessPayment c) {
            return process(state, c);
        }
        if (command instanceof FailPayment c) {
            return fail(state, c);
        }
        if (command instanceof RefundPayment c) {
            return refund(state, c);
        }
        throw new IllegalArgumentException("unknown command " + command);
    }

    /** Applies one event; the version goes up by one. */
    public static PaymentState evolve(PaymentState s, PaymentEvent event) {
        long v = s.version() + 1;
        if (event instanceof PaymentProcessed e) {
            return new PaymentState(e.paymentId(), Status.PROCESSED, e.amount(), e.currency(), e.organizationId(),
                    e.userId(), 0, v);
        }
        if (event instanceof PaymentFailed) {
            return new PaymentState(s.paymentId(), Status.FAILED, s.amount(), s.currency(), s.organizationId(),
                    s.userId(), s.refundedTotal(), v);
        }
        if (event instanceof PaymentRefunded e) {
            long refunded = s.refundedTotal() + e.refundAmount();
            Status status = refunded >= s.amount() ? Status.REFUNDED : Status.PROCESSED;
            return new PaymentState(s.paymentId(), status, s.amount(), s.currency(), s.organizationId(),
                    s.userId(), refunded, v);
        }
        throw new IllegalArgumentException("unknown event " + event);
    }

    public static PaymentState evolveAll(PaymentState s, List<PaymentEvent> events) {
        for (PaymentEvent e : events) {
            s = evolve(s, e);
        }
        return s;
    }
}
