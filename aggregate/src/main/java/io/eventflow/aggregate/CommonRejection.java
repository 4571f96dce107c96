package io.eventflow.aggregate;

/**
 * Rejection codes every aggregate type shares, decided by the generic command side. The command
 * result's {@code reason} enum carries these by the same name; an aggregate's own codes travel in
 * {@code rejection.code} with {@code reason = AGGREGATE_RULE}.
 */
public enum CommonRejection implements RejectionCode {
    /** {@code expectedVersion} is not the aggregate's version. */
    CONCURRENCY_CONFLICT,
    /** The command's organization is missing or is not the aggregate's. */
    TENANT_MISMATCH,
    /** The payload does not fit the envelope (e.g. it names another aggregate). */
    INVALID_COMMAND
}
