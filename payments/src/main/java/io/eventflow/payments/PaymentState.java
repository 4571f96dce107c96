package io.eventflow.payments;

import java.time.Instant;

/**
 * A payment as the one fold ({@link Payments#evolve}) leaves it: the command side's state, the
 * {@code payments} read model and the API's {@code asOf} state. Money in integer minor units;
 * {@code refundedTotal} is the sum refunded so far, {@code refundCount} the number of refunds.
 * {@code version} counts applied events (0 = the payment does not exist; then every nullable field
 * is null). Timestamps are null until the matching event happened; {@code error} is the last
 * failure's. {@code description} is the payment's (null when it had none, always for payments
 * processed before contract version 2); {@code disputedAt} and {@code disputeReason} are the last
 * dispute's, null when never disputed. Immutable.
 */
public record PaymentState(
        String paymentId,
        Status status,
        long amount,
        String currency,
        String organizationId,
        String userId,
        long refundedTotal,
        int refundCount,
        String error,
        Instant processedAt,
        Instant failedAt,
        Instant refundedAt,
        Instant updatedAt,
        long version,
        String description,
        Instant disputedAt,
        String disputeReason) {

    /** A payment without description that was never disputed (the state's shape before contract version 2). */
    public PaymentState(String paymentId, Status status, long amount, String currency, String organizationId,
            String userId, long refundedTotal, int refundCount, String error, Instant processedAt, Instant failedAt,
            Instant refundedAt, Instant updatedAt, long version) {
        this(paymentId, status, amount, currency, organizationId, userId, refundedTotal, refundCount, error,
                processedAt, failedAt, refundedAt, updatedAt, version, null, null, null);
    }

    /** The status vocabulary of payments; {@link #label()} is what documents and the API show. */
    public enum Status {
        NONE, PROCESSED, FAILED, REFUNDED;

        /** {@code processed}, {@code failed}, {@code refunded}; null for NONE. */
        public String label() {
            return this == NONE ? null : name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The status of a label; NONE for null. */
        public static Status ofLabel(String label) {
            return label == null ? NONE : valueOf(label.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public static PaymentState initial(String paymentId) {
        return new PaymentState(paymentId, Status.NONE, 0, null, null, null, 0, 0, null, null, null, null, null, 0, null, null, null);
    }

    public boolean exists() {
        return status != Status.NONE;
    }
}
