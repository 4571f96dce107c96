package io.eventflow.command.pipeline;

import java.time.Duration;
import java.util.Objects;

/**
 * How long, and for how many commands per aggregate, a commandId is remembered so that a retry gets
 * the first result back instead of taking effect again. A retry that comes later than both is
 * handled as a new command.
 *
 * @param window never null, not negative
 * @param maxCommandsPerAggregate 0 turns deduplication off
 */
public record Idempotency(Duration window, int maxCommandsPerAggregate) {
    public Idempotency {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || maxCommandsPerAggregate < 0) {
            throw new IllegalArgumentException("idempotency window and count must not be negative");
        }
    }
}
