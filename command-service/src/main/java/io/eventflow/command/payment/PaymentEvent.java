package io.eventflow.command.payment;

/** Facts about a payment. Money is in integer minor units. */
public sealed interface PaymentEvent {
    String paymentId();

    /** The event type name written to the event store. */
    default String eventType() {
        return getClass().getSimpleName();
    }

    record PaymentProcessed(String paymentId, long amount, String currency, String organizationId, String userId)
            implements PaymentEvent {
    }

    record PaymentFailed(String paymentId, String error) implements PaymentEvent {
    }

    record PaymentRefunded(String paymentId, long refundAmount) implements PaymentEvent {
    }
}
