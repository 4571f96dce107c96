package io.eventflow.aggregate;

import java.util.List;
import java.util.Objects;

/** The outcome of {@code decide}: new events (at least one), or a rejection. Immutable. */
public sealed interface Decision<E> {

    record Accepted<E>(List<E> events) implements Decision<E> {
        public Accepted {
            events = List.copyOf(events);
            if (events.isEmpty()) {
                throw new IllegalArgumentException("an accepted command emits at least one event");
            }
        }
    }

    record Rejected<E>(Rejection rejection) implements Decision<E> {
        public Rejected {
            Objects.requireNonNull(rejection, "rejection");
        }
    }

    @SafeVarargs
    static <E> Decision<E> accept(E... events) {
        return new Accepted<>(List.of(events));
    }

    static <E> Decision<E> reject(RejectionCode code, String message) {
        return new Rejected<>(Rejection.of(code, message));
    }
}
