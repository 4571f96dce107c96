package io.eventflow.schemas.serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A registry held in memory, for component tests (e.g. with Kafka's TopologyTestDriver) that run
 * without servers. Integration tests use a real registry. Like a real registry, ids are global
 * (one per distinct schema, from 1) and subjects hold versions in the order registered; it answers
 * what the REST client does: {@link SchemaNotFoundException} for an unknown id, 404 for a schema
 * not under a subject. Thread-safe.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Map<Schema, Integer> ids = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();
    private final Map<String, List<Integer>> subjects = new ConcurrentHashMap<>();

    private final Map<String, Compatibility> levels = new ConcurrentHashMap<>();

    /** Remembers the level (this fake checks no compatibility). */
    @Override
    public void setCompatibility(String subject, Compatibility level) {
        levels.put(subject, java.util.Objects.requireNonNull(level, "level"));
    }

    /** The level last set on {@code subject}, or null. */
    public Compatibility compatibility(String subject) {
        return levels.get(subject);
    }

    @Override
    public int register(String subject, Schema schema) {
        int id = ids.computeIfAbsent(schema, s -> {
            int next = nextId.getAndIncrement();
            schemas.put(next, s);
            return next;
        });
        subjects.compute(subject, (k, versions) -> {
            List<Integer> out = versions == null ? new ArrayList<>() : new ArrayList<>(versions);
            if (!out.contains(id)) {
                out.add(id);
            }
            return List.copyOf(out);
        });
        return id;
    }

    @Override
    public int lookup(String subject, Schema schema) {
        Integer id = ids.get(schema);
        if (id == null || !subjects.getOrDefault(subject, List.of()).contains(id)) {
            throw new SchemaRegistryException("schema not registered under " + subject, 404,
                    subjects.containsKey(subject) ? SchemaNotFoundException.ERROR_CODE : 40401);
        }
        return id;
    }

    @Override
    public Schema byId(int id) {
        Schema schema = schemas.get(id);
        if (schema == null) {
            throw new SchemaNotFoundException("schema id " + id + " not found", id);
        }
        return schema;
    }

    @Override
    public OptionalInt latestId(String subject) {
        List<Integer> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() ? OptionalInt.empty() : OptionalInt.of(versions.get(versions.size() - 1));
    }

    @Override
    public OptionalInt highestId() {
        return subjects.values().stream().flatMap(List::stream).mapToInt(Integer::intValue).max();
    }

    /** Forgets one schema id everywhere, as a permanent delete would; other ids keep their meaning. */
    public void forget(int id) {
        Schema schema = schemas.remove(id);
        if (schema != null) {
            ids.remove(schema);
        }
        subjects.replaceAll((subject, versions) -> versions.stream().filter(v -> v != id).toList());
    }

    /** Forgets every schema and subject, as an emptied registry would; ids go on from where they were. */
    public void clear() {
        ids.clear();
        schemas.clear();
        subjects.clear();
    }

    @Override
    public String describe() {
        return "in-memory registry";
    }
}
