package io.eventflow.command.pipeline;

import io.eventflow.aggregate.CommonRejection;
import io.eventflow.aggregate.Decision;
import io.eventflow.aggregate.Domain;
import io.eventflow.aggregate.Rejection;
import io.eventflow.aggregate.Tenancy;
import io.eventflow.command.bus.CommandMessage;
import io.eventflow.command.bus.Middleware;
import java.util.Objects;
import java.util.Optional;

/**
 * What the command side checks for every aggregate type before any handler runs, in this order:
 * <ol>
 *   <li>the payload must name the aggregate the envelope addresses ({@link Domain#aggregateId});
 *       else INVALID_COMMAND;</li>
 *   <li>tenancy ({@link Tenancy#check}): TENANT_MISMATCH, checked before the version so another
 *       tenant learns nothing about the aggregate;</li>
 *   <li>a set {@code expectedVersion} must equal the aggregate's version (optimistic concurrency);
 *       else {@link Rejection#conflict}.</li>
 * </ol>
 * Pure and thread-safe.
 */
final class GenericValidation<S, C, E> implements Middleware<S, C, Decision<E>> {
    private final Domain<S, C, E> domain;

    GenericValidation(Domain<S, C, E> domain) {
        this.domain = Objects.requireNonNull(domain, "domain");
    }

    @Override
    public Decision<E> handle(S state, CommandMessage<? extends C> message, Next<S, C, Decision<E>> next) {
        C command = message.payload();
        String named = domain.aggregateId(command);
        if (named == null || !named.equals(message.aggregateId())) {
            return Decision.reject(CommonRejection.INVALID_COMMAND, "the payload's aggregate id '" + named
                    + "' does not match the aggregate id '" + message.aggregateId() + "' of the envelope");
        }
        Optional<Rejection> tenancy = Tenancy.check(domain, state, message.aggregateId(), message.organizationId(),
                command);
        if (tenancy.isPresent()) {
            return new Decision.Rejected<>(tenancy.get());
        }
        Long expected = message.expectedVersion();
        long actual = domain.version(state);
        if (expected != null && expected != actual) {
            return new Decision.Rejected<>(Rejection.conflict(expected, actual));
        }
        return next.handle(state, message);
    }
}
