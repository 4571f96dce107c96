package io.eventflow.payments;

/** Commands on the payment aggregate. Money is in integer minor units. Immutable. */
public sealed interface PaymentCommand {
    String paymentId();

    /** Creates the payment in {@code organizationId}. {@code description} may be null. */
    record ProcessPayment(String paymentId, long amount, String currency, String organizationId, String userId,
            String description) implements PaymentCommand {
        /** A payment without description. */
        public ProcessPayment(String paymentId, long amount, String currency, String organizationId, String userId) {
            this(paymentId, amount, currency, organizationId, userId, null);
        }
    }

    record FailPayment(String paymentId, String error) implements PaymentCommand {
    }

    record RefundPayment(String paymentId, long refundAmount) implements PaymentCommand {
    }

    /** The payer disputes a processed or refunded payment. */
    record DisputePayment(String paymentId, String reason) implements PaymentCommand {
    }
}
