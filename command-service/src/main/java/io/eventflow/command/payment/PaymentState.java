package io.eventflow.command.payment;

/**
 * A payment's state as the command side needs it. {@code version} counts applied events (0 = the
 * payment does not exist). Money in integer minor units.
 */
public record PaymentState(
        String paymentId,
        Status status,
        long amount,
        String currency,
        String organizationId,
        String userId,
        long refundedTotal,
        long version) {

    public enum Status { NONE, PROCESSED, FAILED, REFUNDED }

    public static PaymentState initial(String paymentId) {
        return new PaymentState(paymentId, Status.NONE, 0, null, null, null, 0, 0);
    }

    public boolean exists() {
        return status != Status.NONE;
    }
}
