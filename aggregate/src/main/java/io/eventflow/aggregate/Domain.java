package io.eventflow.aggregate;

/**
 * An aggregate type's rules as pure functions. No I/O, no clock (time comes in the events), no
 * shared mutable state: thread-safe.
 *
 * <p>The generic command side does, in this order, before any handler runs: the payload must name
 * the envelope's aggregate ({@link #aggregateId}); the tenancy rule ({@link Tenancy}); a set
 * {@code expectedVersion} must equal {@link #version}. Then the handler registered for the
 * command's type decides.
 */
public interface Domain<S, C, E> {

    /** The state of an aggregate that has no event yet (version 0). */
    S initial(String aggregateId);

    /** Registers one {@code decide} function per command type; a duplicate registration fails. */
    void handlers(Handlers<S, C, E> handlers);

    /**
     * Folds one event into the state: the one fold of this aggregate type. The result's
     * {@link #version} is {@code event.version()}. Callers skip events at or below the state's
     * version (replays are idempotent) and refuse gaps.
     */
    S evolve(S state, Recorded<E> event);

    /** Events applied so far; 0 for {@link #initial}. */
    long version(S state);

    /** The organization the aggregate belongs to; null while it does not exist. */
    String organizationId(S state);

    /** The aggregate id the command's payload names; it must equal the envelope's. */
    String aggregateId(C command);

    /**
     * For a command that creates the aggregate: the organization it creates it in, which must be
     * the envelope's. Null for the other commands, which must come from the aggregate's own
     * organization.
     */
    String createsIn(C command);

    /**
     * Registration of handlers.
     */
    interface Handlers<S, C, E> {
        /** @throws IllegalStateException when {@code type} already has a handler */
        <T extends C> Handlers<S, C, E> on(Class<T> type, java.util.function.BiFunction<S, T, Decision<E>> handler);
    }
}
