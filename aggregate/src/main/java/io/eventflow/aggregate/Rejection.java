package io.eventflow.aggregate;

import java.util.Objects;

/**
 * Why a command was refused. {@code code} is a {@link RejectionCode}'s name; {@code expectedVersion}
 * and {@code actualVersion} are set for {@link CommonRejection#CONCURRENCY_CONFLICT} only, null
 * otherwise. Immutable.
 */
public record Rejection(String code, String message, Long expectedVersion, Long actualVersion) {
    public Rejection {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    public static Rejection of(RejectionCode code, String message) {
        return new Rejection(code.name(), message, null, null);
    }

    public static Rejection conflict(long expected, long actual) {
        return new Rejection(CommonRejection.CONCURRENCY_CONFLICT.name(),
                "expected version " + expected + " but the aggregate is at version " + actual, expected, actual);
    }

    public boolean is(RejectionCode c) {
        return code.equals(c.name());
    }
}
