package io.eventflow.payments;

/** Facts about a payment. Money is in integer minor units. Immutable. */
public sealed interface PaymentEvent {
    String paymentId();

    /** The event type name written to the event store: the record's simple name, as its Avro name. */
    default String eventType() {
        return getClass().getSimpleName();
    }

    /** {@code description} is null for payments without one, and for every event written before contract version 2. */
    record PaymentProcessed(String paymentId, long amount, String currency, String organizationId, String userId,
            String description) implements PaymentEvent {
        /** A payment without description. */
        public PaymentProcessed(String paymentId, long amount, String currency, String organizationId, String userId) {
            this(paymentId, amount, currency, organizationId, userId, null);
        }
    }

    /**
     * {@code error} is the Avro field {@code reason} since contract version 2 ({@code error} before,
     * read through the field's alias); the domain keeps its name.
     */
    record PaymentFailed(String paymentId, String error) implements PaymentEvent {
    }

    /** New in contract version 2. */
    record PaymentDisputed(String paymentId, String reason) implements PaymentEvent {
    }

    record PaymentRefunded(String paymentId, long refundAmount) implements PaymentEvent {
    }
}
