package io.eventflow.aggregate;

import io.eventflow.eventstore.EventDocument;
import java.util.List;

/**
 * An aggregate's state folded from its documents in the event store, for the command side's
 * hydration and the API's {@code asOf}: documents back to Avro payloads (through the
 * {@link Upcaster}), to domain events, through the type's one fold. Thread-safe.
 */
public final class Histories {
    private Histories() {
    }

    /**
     * Folds {@code events} (ascending versions, starting at 1) into the state.
     *
     * @throws IllegalStateException on a gap in the versions, or an event document that does not
     *     read back as one of the type's events (e.g. another aggregate type's); never guessed around
     */
    public static <S, C, E> S fold(AggregateType<S, C, E> type, String aggregateId, List<EventDocument> events) {
        Domain<S, C, E> domain = type.domain();
        S state = domain.initial(aggregateId);
        for (EventDocument doc : events) {
            long version = domain.version(state);
            if (doc.version() != version + 1) {
                throw new IllegalStateException("event store history of " + aggregateId + " has a gap: version "
                        + doc.version() + " after " + version);
            }
            state = domain.evolve(state, recorded(type, doc));
        }
        return state;
    }

    /** One event document as a domain event. */
    public static <E> Recorded<E> recorded(AggregateType<?, ?, E> type, EventDocument doc) {
        if (!type.names().type().equals(doc.aggregateType())) {
            throw new IllegalStateException("event " + doc.eventId() + " is of aggregate type " + doc.aggregateType()
                    + ", not " + type.names().type());
        }
        try {
            var data = type.upcaster().upcast(doc.eventType(), schemaVersion(doc), doc.eventData());
            E event = type.avro().event(EventData.toAvro(type.avro().eventEnvelope(), doc.eventType(), data));
            return new Recorded<>(doc.aggregateId(), doc.version(), doc.timestamp(), event);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("event " + doc.eventId() + " (" + doc.eventType() + ") of aggregate "
                    + doc.aggregateId() + " cannot be read back: " + e.getMessage(), e);
        }
    }

    /**
     * The shape version of the document's {@code eventData} ({@link EventDocument#schemaVersion()});
     * 1 for documents that do not say, written before shapes had versions.
     */
    static int schemaVersion(EventDocument doc) {
        return doc.schemaVersion() == null ? 1 : doc.schemaVersion();
    }
}
