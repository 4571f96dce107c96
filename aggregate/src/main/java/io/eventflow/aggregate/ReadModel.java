package io.eventflow.aggregate;

import java.util.Map;

/**
 * An aggregate type's read model: one document per aggregate ({@code _id} = aggregate id), the
 * state of {@link Domain#evolve} in JSON form, written with external versioning (the aggregate
 * version). The projector adds {@code position} (where the last event folded in sits in the events
 * topic); the API's {@code asOf} answers the same shape. Thread-safe.
 */
public interface ReadModel<S> {

    /**
     * The {@code mappings} object of the read-model index template, as JSON. It must declare
     * {@code version} (long) and {@code position} ({@code partition} integer, {@code offset} long);
     * {@code dynamic: strict} is recommended.
     */
    String mappings();

    /** The state as a document: JSON-ready values (strings, numbers, booleans, ISO-8601 instants). */
    Map<String, Object> toDocument(S state);

    /** A document read back (as {@link #toDocument} wrote it, plus {@code position}) as the state. */
    S fromDocument(Map<String, Object> document);
}
