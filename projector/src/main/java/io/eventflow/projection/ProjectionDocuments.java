package io.eventflow.projection;

import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.PaymentView;
import io.eventflow.eventstore.Position;
import io.eventflow.projection.sink.EventDocuments;
import io.eventflow.projection.sink.PaymentViews;
import io.eventflow.schemas.EventEnvelope;

/**
 * The documents the projector writes for an event, for tools that must write exactly the same ones
 * (rebuilds, benchmarks). Pure functions; thread-safe.
 */
public final class ProjectionDocuments {
    private ProjectionDocuments() {
    }

    /** The event-store document of an event; its {@code _id} is {@link EventDocument#eventId()}. Never null. */
    public static EventDocument event(EventEnvelope event) {
        return EventDocuments.of(event, null);
    }

    /** As {@link #event(EventEnvelope)}, for the event at {@code at} (nullable) in the events topic. */
    public static EventDocument event(EventEnvelope event, Position at) {
        return EventDocuments.of(event, at);
    }

    /** True when the payments read model folds this event. */
    public static boolean isPaymentEvent(EventEnvelope event) {
        return PaymentViews.isPaymentEvent(event);
    }

    /**
     * The payment document after {@code event}. {@code view} is the document before it, or null when
     * there is none. An event at or below the document's version returns {@code view} unchanged.
     */
    public static PaymentView fold(PaymentView view, EventEnvelope event) {
        return PaymentViews.apply(view, event, null);
    }

    /** As {@link #fold(PaymentView, EventEnvelope)}, for the event at {@code at} (nullable) in the events topic. */
    public static PaymentView fold(PaymentView view, EventEnvelope event, Position at) {
        return PaymentViews.apply(view, event, at);
    }
}
