package io.eventflow.command.payment;

/** Commands on the payment aggregate. Money is in integer minor units. */
public sealed interface PaymentCommand {
    String paymentId();

    record ProcessPayment(String paymentId, long amount, String currency, String organizationId, String userId)
            implements PaymentCommand {
    }

    record FailPayment(String paymentId, String error) implements PaymentCommand {
    }

    record RefundPayment(String paymentId, long refundAmount) implements PaymentCommand {
    }
}
