package io.eventflow.command.payment;

/**
 * Why a command was refused. {@code expectedVersion}/{@code actualVersion} are set for
 * {@link Reason#CONCURRENCY_CONFLICT} only, null otherwise.
 */
public record Rejection(Reason reason, String message, Long expectedVersion, Long actualVersion) {

    public enum Reason {
        CONCURRENCY_CONFLICT, PAYMENT_NOT_FOUND, ALREADY_PROCESSED, REFUND_EXCEEDS_AMOUNT,
        INVALID_AMOUNT, UNSUPPORTED_CURRENCY, PAYMENT_ALREADY_FAILED, PAYMENT_REFUNDED, INVALID_COMMAND,
        /** The command's organization is missing or is not the payment's. */
        TENANT_MISMATCH
    }

    public static Rejection of(Reason reason, String message) {
        return new Rejection(reason, message, null, null);
    }

    public static Rejection conflict(long expected, long actual) {
        return new Rejection(Reason.CONCURRENCY_CONFLICT,
                "expected version " + expected + " but the aggregate is at version " + actual, expected, actual);
    }
}
