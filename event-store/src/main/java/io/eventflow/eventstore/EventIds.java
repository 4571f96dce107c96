package io.eventflow.eventstore;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * The one rule for an event's id: a name-based UUID of (aggregate type, aggregate id, version).
 *
 * <p>(aggregate type, aggregate id, version) is what makes an event unique, so two different events
 * never share an id, even when one commandId is used on two aggregates or accepted again after the
 * idempotency window, and a command re-run after a crash yields the same id again. Other aggregate
 * types share the {@code events} index, which is why the type is part of it. Pure and thread-safe.
 */
public final class EventIds {
    private EventIds() {
    }

    /**
     * @param aggregateType e.g. {@code Payment}; never null
     * @param aggregateId never null
     * @param version the event's aggregate version, at least 1
     * @return a UUID string, 36 characters
     */
    public static String of(String aggregateType, String aggregateId, long version) {
        Objects.requireNonNull(aggregateType, "aggregateType");
        Objects.requireNonNull(aggregateId, "aggregateId");
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, got " + version);
        }
        // NUL never occurs in a valid id (EnvelopeRules), so the three parts cannot run into each other.
        String name = aggregateType + '\u0000' + aggregateId + '\u0000' + version;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
