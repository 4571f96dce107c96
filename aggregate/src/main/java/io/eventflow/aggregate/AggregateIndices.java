package io.eventflow.aggregate;

import io.eventflow.eventstore.EventStoreIndices;
import java.util.LinkedHashMap;
import java.util.Map;

/** The event store's indices with the read models of the given aggregate types. */
public final class AggregateIndices {
    private AggregateIndices() {
    }

    /** @param prefix prepended to every index, alias and template name; may be empty */
    public static EventStoreIndices of(String prefix, AggregateTypes types) {
        Map<String, String> readModels = new LinkedHashMap<>();
        for (AggregateType<?, ?, ?> t : types.all()) {
            readModels.put(t.names().readModel(), t.readModel().mappings());
        }
        return new EventStoreIndices(prefix, readModels);
    }
}
