package io.eventflow.command.pipeline;

import io.eventflow.command.payment.PaymentState;

/**
 * Loads an aggregate's state from the event store when the local state store does not know it.
 * Implementations throw on failure; they never guess an empty history.
 */
@FunctionalInterface
interface AggregateHistory {
    PaymentState load(String aggregateId) throws Exception;
}
