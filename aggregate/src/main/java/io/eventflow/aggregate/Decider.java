package io.eventflow.aggregate;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A domain's {@code decide(state, command)} as one function, built from the handlers it registers
 * ({@link Domain#handlers}): the same table the command side dispatches with, so a type's pure
 * tests exercise the registration the service runs. Commands are matched by their exact class.
 * Immutable after construction; thread-safe.
 */
public final class Decider<S, C, E> {
    private final Map<Class<?>, BiFunction<S, Object, Decision<E>>> handlers = new HashMap<>();

    private Decider(Domain<S, C, E> domain) {
        domain.handlers(new Domain.Handlers<>() {
            @Override
            @SuppressWarnings("unchecked")
            public <T extends C> Domain.Handlers<S, C, E> on(Class<T> type, BiFunction<S, T, Decision<E>> handler) {
                Objects.requireNonNull(handler, "handler");
                if (handlers.putIfAbsent(type, (s, c) -> handler.apply(s, (T) c)) != null) {
                    throw new IllegalStateException("a handler for " + type.getName() + " is already registered");
                }
                return this;
            }
        });
    }

    /** @param domain registers its handlers once, here */
    public static <S, C, E> Decider<S, C, E> of(Domain<S, C, E> domain) {
        return new Decider<>(Objects.requireNonNull(domain, "domain"));
    }

    /**
     * The registered handler's decision.
     *
     * @throws IllegalArgumentException when no handler is registered for the command's class
     */
    public Decision<E> decide(S state, C command) {
        BiFunction<S, Object, Decision<E>> handler = handlers.get(command.getClass());
        if (handler == null) {
            throw new IllegalArgumentException("unknown command " + command);
        }
        return handler.apply(state, command);
    }
}
