package io.eventflow.aggregate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Per-aggregate-type topic keys of a service's config: {@code <readModel>.<suffix>} (e.g.
 * {@code payments.events.topic}) with the type's conventional name as default, the un-prefixed
 * {@code <suffix>} of the releases before aggregate types as an alias of the payments type's key
 * (setting both differently fails), and {@code aggregate.types}, which of the wired types run.
 * Every resolved topic name is distinct. Thread-safe.
 */
public final class TypeTopicKeys {
    public static final String AGGREGATE_TYPES = "aggregate.types";
    /** The read model whose topics the un-prefixed keys name. */
    public static final String LEGACY_READ_MODEL = "payments";

    /**
     * One topic role.
     *
     * @param suffix the key after {@code <readModel>.}, and the alias key, e.g. {@code events.topic}
     * @param name the conventional topic name of a type
     * @param doc what the topic holds, for the key's doc
     */
    public record Key(String suffix, Function<AggregateNames, String> name, String doc) {
        public Key {
            Objects.requireNonNull(suffix, "suffix");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(doc, "doc");
        }
    }

    private final AggregateTypes types;
    private final List<Key> keys;

    public TypeTopicKeys(AggregateTypes types, List<Key> keys) {
        this.types = Objects.requireNonNull(types, "types");
        this.keys = List.copyOf(keys);
    }

    /** Adds the keys to {@code def} (a copy is returned). */
    public ConfigDef define(ConfigDef base) {
        ConfigDef def = new ConfigDef(base);
        for (Key k : keys) {
            def.define(k.suffix(), Type.STRING, null, new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Alias of " + LEGACY_READ_MODEL + "." + k.suffix() + " (the key of earlier releases); setting both "
                            + "differently fails.");
        }
        for (AggregateType<?, ?, ?> t : types.all()) {
            AggregateNames n = t.names();
            String legacy = n.readModel().equals(LEGACY_READ_MODEL) ? " Alias: the un-prefixed key." : "";
            for (Key k : keys) {
                def.define(n.readModel() + "." + k.suffix(), Type.STRING, k.name().apply(n),
                        new ConfigDef.NonEmptyString(), Importance.MEDIUM, "The " + n.type() + " aggregate type's "
                                + k.doc() + legacy);
            }
        }
        def.define(AGGREGATE_TYPES, Type.LIST, String.join(",", types.readModels()), Importance.LOW,
                "The aggregate types this service runs, by read-model name (" + String.join(", ", types.readModels())
                        + "); default: all of them.");
        return def;
    }

    /**
     * The topics of the running types, by read model and then by suffix, in wiring order.
     *
     * @throws ConfigException for an unknown or empty aggregate.types, an alias that disagrees
     *     with its key, or a topic named twice
     */
    public Map<String, Map<String, String>> resolve(AbstractConfig config) {
        List<String> chosen = config.getList(AGGREGATE_TYPES);
        if (chosen.isEmpty()) {
            throw new ConfigException(AGGREGATE_TYPES, chosen, "names no aggregate type; choose among "
                    + types.readModels());
        }
        for (String rm : chosen) {
            if (types.byReadModel(rm).isEmpty()) {
                throw new ConfigException(AGGREGATE_TYPES, chosen, "'" + rm + "' is not an aggregate type of this "
                        + "service; choose among " + types.readModels());
            }
        }
        boolean legacyWired = types.byReadModel(LEGACY_READ_MODEL).isPresent();
        for (Key k : keys) {
            if (config.getString(k.suffix()) != null && !legacyWired) {
                throw new ConfigException(k.suffix(), config.getString(k.suffix()), "names a topic of the "
                        + LEGACY_READ_MODEL + " aggregate type, which this service does not have; use <readModel>."
                        + k.suffix());
            }
        }
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        Map<String, String> owners = new HashMap<>();
        for (AggregateType<?, ?, ?> t : types.all()) {
            String rm = t.names().readModel();
            if (!chosen.contains(rm)) {
                continue;
            }
            Map<String, String> topics = new LinkedHashMap<>();
            for (Key k : keys) {
                String typed = rm + "." + k.suffix();
                String value = config.getString(typed);
                String alias = rm.equals(LEGACY_READ_MODEL) ? config.getString(k.suffix()) : null;
                if (alias != null) {
                    if (config.originals().containsKey(typed) && !alias.equals(value)) {
                        throw new ConfigException(k.suffix(), alias, "is an alias of " + typed + ", which is set to '"
                                + value + "'; set one of them");
                    }
                    value = alias;
                }
                String other = owners.putIfAbsent(value, typed);
                if (other != null) {
                    throw new ConfigException(typed, value, "is also the topic of " + other + "; every aggregate "
                            + "type's topics are distinct");
                }
                topics.put(k.suffix(), value);
            }
            out.put(rm, topics);
        }
        return out;
    }

    /** The keys' suffixes, in order. */
    public List<String> suffixes() {
        List<String> out = new ArrayList<>();
        keys.forEach(k -> out.add(k.suffix()));
        return out;
    }
}
