package io.eventflow.payments;

/** Commands on the payment aggregate. Money is in integer minor units. Immutable. */
public sealed interface PaymentCommand {
    String paymentId();

    /** Creates the payment in {@code organizationId}. */
    record ProcessPayment(String paymentId, long amount, String currency, String organizationId, String userId)
            implements PaymentCommand {
    }

    record FailPayment(String paymentId, String error) implements PaymentCommand {
    }

    record RefundPayment(String paymentId, long refundAmount) implements PaymentCommand {
    }
}
