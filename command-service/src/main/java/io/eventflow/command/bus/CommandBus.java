package io.eventflow.command.bus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Maps each command type to exactly one handler {@code (state, command) -> result}, with middleware
 * around every dispatch. Registering a second handler for a type fails. Build it once at start-up
 * ({@link #register}, {@link #use}); after that it is read-only and thread-safe.
 *
 * @param <S> aggregate state
 * @param <C> command supertype
 * @param <R> handler result
 */
public final class CommandBus<S, C, R> {
    private final Map<Class<?>, BiFunction<S, C, R>> handlers = new HashMap<>();
    private final List<Middleware<S, C, R>> middleware = new ArrayList<>();

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

    /** Adds middleware; the first one added is the outermost. */
    public CommandBus<S, C, R> use(Middleware<S, C, R> m) {
        middleware.add(Objects.requireNonNull(m, "middleware"));
        return this;
    }

    /**
     * Runs the middleware chain and the handler for the message's payload type.
     *
     * @throws NoHandlerException when no handler is registered for the payload's type
     */
    public R dispatch(S state, CommandMessage<? extends C> message) {
        Objects.requireNonNull(message, "message");
        return next(0).handle(state, message);
    }

    private Middleware.Next<S, C, R> next(int index) {
        if (index == middleware.size()) {
            return this::invokeHandler;
        }
        Middleware<S, C, R> m = middleware.get(index);
        return (state, message) -> m.handle(state, message, next(index + 1));
    }

    private R invokeHandler(S state, CommandMessage<? extends C> message) {
        C payload = message.payload();
        BiFunction<S, C, R> handler = handlers.get(payload.getClass());
        if (handler == null) {
            throw new NoHandlerException(payload.getClass().getName());
        }
        return handler.apply(state, payload);
    }
}
