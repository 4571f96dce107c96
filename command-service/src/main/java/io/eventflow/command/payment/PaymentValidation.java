package io.eventflow.command.payment;

import io.eventflow.command.bus.CommandMessage;
import io.eventflow.command.bus.Middleware;

/**
 * Validation middleware for payment commands, before any handler runs: the payload must name the
 * aggregate it is addressed to, and a set {@code expectedVersion} must equal the aggregate's current
 * version (optimistic concurrency). Pure and thread-safe.
 */
public final class PaymentValidation implements Middleware<PaymentState, PaymentCommand, Decision> {

    @Override
    public Decision handle(PaymentState state, CommandMessage<? extends PaymentCommand> message,
            Next<PaymentState, PaymentCommand, Decision> next) {
        PaymentCommand command = message.payload();
        if (command.paymentId() == null || !command.paymentId().equals(message.aggregateId())) {
            return Decision.reject(Rejection.Reason.INVALID_COMMAND, "paymentId '" + command.paymentId()
                    + "' does not match the aggregate id '" + message.aggregateId() + "' of the envelope");
        }
        Long expected = message.expectedVersion();
        if (expected != null && expected != state.version()) {
            return new Decision.Rejected(Rejection.conflict(expected, state.version()));
        }
        return next.handle(state, message);
    }
}
