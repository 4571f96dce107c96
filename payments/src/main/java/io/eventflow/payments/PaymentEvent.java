package io.eventflow.payments;

/** Facts about a payment. Money is in integer minor units. Immutable. */
public sealed interface PaymentEvent {
    String paymentId();

    /** The event type name written to the event store: the record's simple name, as its Avro name. */
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
