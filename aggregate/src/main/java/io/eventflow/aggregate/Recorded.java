package io.eventflow.aggregate;

import java.time.Instant;
import java.util.Objects;

/**
 * A domain event as recorded: its aggregate, its version (1 for the first event) and when it
 * happened. What {@link Domain#evolve} folds. Immutable.
 */
public record Recorded<E>(String aggregateId, long version, Instant timestamp, E event) {
    public Recorded {
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(event, "event");
        if (version < 1) {
            throw new IllegalArgumentException("event versions start at 1, got " + version);
        }
    }
}
