package io.eventflow.projection.live;

import io.eventflow.aggregate.AggregateType;
import java.util.Objects;

/**
 * One aggregate type as the projector carries it: the events topic it reads (the type's system of
 * record) and the dead-letter topic for that topic's records it cannot project. Immutable.
 */
public record Lane(AggregateType<?, ?, ?> type, String eventsTopic, String deadLetterTopic) {
    public Lane {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(eventsTopic, "eventsTopic");
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    }

    /** The type's read-model name, e.g. {@code payments}. */
    public String readModel() {
        return type.names().readModel();
    }
}
