package io.eventflow.projection;

import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.Envelopes;
import io.eventflow.aggregate.Envelopes.EventView;
import io.eventflow.aggregate.Recorded;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.Position;
import io.eventflow.projection.sink.EventDocuments;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * The documents the projector writes for an event, for tools that must write exactly the same ones
 * (rebuilds, benchmarks, tests). Pure functions; thread-safe.
 */
public final class ProjectionDocuments {
    private ProjectionDocuments() {
    }

    /**
     * The event-store document of an event (any aggregate type's event envelope); its {@code _id}
     * is {@link EventDocument#eventId()}. Never null.
     */
    public static EventDocument event(SpecificRecord envelope) {
        return EventDocuments.of(Envelopes.event(envelope), null);
    }

    /** As {@link #event(SpecificRecord)}, for the event at {@code at} (nullable) in its events topic. */
    public static EventDocument event(SpecificRecord envelope, Position at) {
        return EventDocuments.of(Envelopes.event(envelope), at);
    }

    /**
     * The state of an aggregate after {@code envelope}, as the projector folds it into the read
     * model. {@code state} is the state before it, or null when there is none; an event at or
     * below its version returns {@code state} unchanged.
     */
    public static <S, C, E> S fold(AggregateType<S, C, E> type, S state, SpecificRecord envelope) {
        EventView e = Envelopes.event(envelope);
        if (state != null && e.version() <= type.domain().version(state)) {
            return state;
        }
        E event = type.avro().event(e.payload());
        return type.domain().evolve(state == null ? type.domain().initial(e.aggregateId()) : state,
                new Recorded<>(e.aggregateId(), e.version(), e.timestamp(), event));
    }

    /** The read-model document of a state, without its {@code position}. */
    public static <S> Map<String, Object> document(AggregateType<S, ?, ?> type, S state) {
        return type.readModel().toDocument(state);
    }

    /**
     * The read-model document of a state as the projector writes it, with the {@code position}
     * (nullable) of the last event folded into it.
     */
    public static <S> Map<String, Object> document(AggregateType<S, ?, ?> type, S state, Position position) {
        return EventDocuments.readModel(type.readModel().toDocument(state), position);
    }
}
