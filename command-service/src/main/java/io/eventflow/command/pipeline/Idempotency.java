package io.eventflow.command.pipeline;

import java.time.Duration;
import java.util.Objects;

/**
 * How long, and for how many commands per aggregate, a commandId is remembered so that a retry gets
 * the first result back instead of taking effect again. A retry that comes later than these bounds
 * is handled as a new command. The remembered results also share a byte budget with the aggregate's
 * state, so a stored value stays far below Kafka's message size whatever the ids' sizes.
 *
 * @param window never null, not negative
 * @param maxCommandsPerAggregate 0 turns deduplication off
 * @param maxBytesPerAggregate encoded bytes of an aggregate's stored value (state plus remembered
 *     results); the oldest results are forgotten first, and a command whose own entry cannot fit is
 *     refused (STATE_LIMIT_EXCEEDED). At least 1024.
 */
public record Idempotency(Duration window, int maxCommandsPerAggregate, int maxBytesPerAggregate) {
    /** The default byte budget: 64 KiB. */
    public static final int DEFAULT_MAX_BYTES = 64 * 1024;

    public Idempotency {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || maxCommandsPerAggregate < 0) {
            throw new IllegalArgumentException("idempotency window and count must not be negative");
        }
        if (maxBytesPerAggregate < 1024) {
            throw new IllegalArgumentException("idempotency byte budget must be at least 1024, got " + maxBytesPerAggregate);
        }
    }

    public Idempotency(Duration window, int maxCommandsPerAggregate) {
        this(window, maxCommandsPerAggregate, DEFAULT_MAX_BYTES);
    }
}
