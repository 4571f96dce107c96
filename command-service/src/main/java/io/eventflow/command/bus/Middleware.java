package io.eventflow.command.bus;

/**
 * Runs around every handler on the bus: it may answer by itself (a validation failure), or call
 * {@code next} and observe the outcome (logging, metrics). Implementations must be thread-safe;
 * one instance serves every stream thread.
 */
@FunctionalInterface
public interface Middleware<S, C, R> {

    R handle(S state, CommandMessage<? extends C> message, Next<S, C, R> next);

    /** The rest of the chain: the next middleware, and finally the handler. */
    @FunctionalInterface
    interface Next<S, C, R> {
        R handle(S state, CommandMessage<? extends C> message);
    }
}
