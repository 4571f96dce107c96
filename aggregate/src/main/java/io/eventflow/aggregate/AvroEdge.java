package io.eventflow.aggregate;

import org.apache.avro.specific.SpecificRecord;

/**
 * The only place that knows both an aggregate's Avro contracts and its domain types.
 *
 * <p>Its envelopes have the shape {@link Envelopes} checks: a command envelope with the fields of
 * {@code CommandEnvelope} and an event envelope with those of {@code EventEnvelope}, each with a
 * {@code payload} union of this aggregate's own command or event records. An event record's Avro
 * name (without namespace) is its {@code eventType}. Thread-safe.
 */
public interface AvroEdge<C, E> {

    Class<? extends SpecificRecord> commandEnvelope();

    Class<? extends SpecificRecord> eventEnvelope();

    /**
     * A command payload (one branch of the command envelope's union) as a domain command.
     *
     * @throws IllegalArgumentException for a payload this aggregate has no command for
     */
    C command(SpecificRecord payload);

    /** A domain event as its Avro payload record. */
    SpecificRecord event(E event);

    /**
     * An Avro event payload as a domain event.
     *
     * @throws IllegalArgumentException for a payload this aggregate has no event for
     */
    E event(SpecificRecord payload);
}
