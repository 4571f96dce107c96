package io.eventflow.command.pipeline;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/**
 * Loads aggregates' states (of one aggregate type, {@code S}) from the event store when the local
 * state store does not know them.
 * Aggregates with no indexed events are absent from the answer. Implementations throw on failure;
 * they never guess an empty history.
 */
@FunctionalInterface
interface AggregateHistory<S> {
    Map<String, S> load(Collection<String> aggregateIds) throws Exception;

    /**
     * As {@link #load(Collection)}, within {@code budget}: an implementation that calls a server
     * bounds its requests by it and fails transiently when it is spent. The default ignores it.
     */
    default Map<String, S> load(Collection<String> aggregateIds, Duration budget) throws Exception {
        return load(aggregateIds);
    }
}
