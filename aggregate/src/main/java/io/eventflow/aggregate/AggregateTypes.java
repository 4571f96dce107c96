package io.eventflow.aggregate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The aggregate types a service is wired with: one line per type in each service's wiring, e.g.
 * {@code AggregateTypes.of(Payments.TYPE, Workflows.TYPE)}. Two types with the same envelope name,
 * topic base, read model or envelope classes fail at once. Immutable, thread-safe.
 */
public final class AggregateTypes {
    private final Map<String, AggregateType<?, ?, ?>> byType;

    private AggregateTypes(Map<String, AggregateType<?, ?, ?>> byType) {
        this.byType = byType;
    }

    /** @throws IllegalArgumentException on a duplicate name or an envelope that lacks the standard fields */
    public static AggregateTypes of(AggregateType<?, ?, ?>... types) {
        return of(List.of(types));
    }

    public static AggregateTypes of(Collection<? extends AggregateType<?, ?, ?>> types) {
        Map<String, AggregateType<?, ?, ?>> byType = new LinkedHashMap<>();
        List<String> seen = new ArrayList<>();
        for (AggregateType<?, ?, ?> t : types) {
            Objects.requireNonNull(t, "aggregate type");
            AggregateNames n = t.names();
            for (String key : List.of("type " + n.type(), "topic base " + n.topicBase(), "read model " + n.readModel(),
                    "command envelope " + t.avro().commandEnvelope().getName(),
                    "event envelope " + t.avro().eventEnvelope().getName())) {
                if (seen.contains(key)) {
                    throw new IllegalArgumentException("two aggregate types share the " + key);
                }
                seen.add(key);
            }
            Envelopes.checkCommandEnvelope(t.avro().commandEnvelope());
            Envelopes.checkEventEnvelope(t.avro().eventEnvelope());
            byType.put(n.type(), t);
        }
        if (byType.isEmpty()) {
            throw new IllegalArgumentException("no aggregate type registered");
        }
        return new AggregateTypes(Collections.unmodifiableMap(byType));
    }

    /** In registration order. */
    public List<AggregateType<?, ?, ?>> all() {
        return List.copyOf(byType.values());
    }

    /** The type whose envelopes carry {@code aggregateType = type}. */
    public Optional<AggregateType<?, ?, ?>> byType(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    /** The type whose read model is {@code readModel}, e.g. {@code payments}. */
    public Optional<AggregateType<?, ?, ?>> byReadModel(String readModel) {
        return byType.values().stream().filter(t -> t.names().readModel().equals(readModel)).findFirst();
    }

    /** The read-model names, for messages. */
    public List<String> readModels() {
        return byType.values().stream().map(t -> t.names().readModel()).toList();
    }
}
