package io.eventflow.command.payment;

import io.eventflow.command.bus.CommandMessage;
import io.eventflow.command.bus.Middleware;
import java.util.Objects;

/**
 * Validation middleware for payment commands, before any handler runs, in this order:
 * <ol>
 *   <li>the payload must name the aggregate it is addressed to;</li>
 *   <li>tenancy: a payment's organization is fixed when it is created. ProcessPayment's metadata
 *       organization must equal the payload's; FailPayment and RefundPayment must carry the existing
 *       payment's organization. A missing organization is a mismatch too. Checked before the version,
 *       so another tenant learns nothing about the payment's version;</li>
 *   <li>a set {@code expectedVersion} must equal the aggregate's current version (optimistic concurrency).</li>
 * </ol>
 * Pure and thread-safe.
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
        Decision tenancy = tenancy(state, message.organizationId(), command);
        if (tenancy != null) {
            return tenancy;
        }
        Long expected = message.expectedVersion();
        if (expected != null && expected != state.version()) {
            return new Decision.Rejected(Rejection.conflict(expected, state.version()));
        }
        return next.handle(state, message);
    }

    /** A TENANT_MISMATCH rejection, or null when the command's organization may act on this payment. */
    static Decision tenancy(PaymentState state, String organizationId, PaymentCommand command) {
        if (organizationId == null || organizationId.isEmpty()) {
            return Decision.reject(Rejection.Reason.TENANT_MISMATCH,
                    "metadata.organizationId is missing; every payment command names its organization");
        }
        if (command instanceof PaymentCommand.ProcessPayment p) {
            if (!organizationId.equals(p.organizationId())) {
                return Decision.reject(Rejection.Reason.TENANT_MISMATCH, "metadata.organizationId '" + organizationId
                        + "' is not the payment's organizationId '" + p.organizationId() + "'");
            }
            return null;
        }
        if (state.exists() && !Objects.equals(organizationId, state.organizationId())) {
            return Decision.reject(Rejection.Reason.TENANT_MISMATCH, "payment " + state.paymentId()
                    + " belongs to another organization than '" + organizationId + "'");
        }
        return null;
    }
}
