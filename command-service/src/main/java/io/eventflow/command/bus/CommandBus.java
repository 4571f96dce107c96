package io.eventflow.command.bus;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Maps each command type to exactly one handler {@code (state, command) -> result}. Registering a
 * second handler for a type fails. Build it once at start-up; after that it is read-only and
 * thread-safe.
 *
 * @param <S> aggregate state
 * @param <C> command supertype
 * @param <R> handler result
 */
public final class CommandBus<S, C, R> {
    private final Map<Class<?>, BiFunction<S, C, R>> handlers = new HashMap<>();

    /** @throws IllegalStateException when {@code type} already has a handler */
    @SuppressWarnings("unchecked")
    public <T extends C> CommandBus<S, C, R> register(Class<T> type, BiFunction<S, T, R> handler) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(handler, "handler");
        if (handlers.putIfAbsent(type, (state, command) -> handler.apply(state, (T) command)) != null) {
            throw new IllegalStateException("a handler for " + type.getName() + " is already registered");
        }
        return this;
    }

    /** @throws NoHandlerException when no handler is registered for the command's type */
    public R dispatch(S state, C command) {
        BiFunction<S, C, R> handler = handlers.get(command.getClass());
        if (handler == null) {
            throw new NoHandlerException(command.getClass().getName());
        }
        return handler.apply(state, command);
    }
}
