package io.eventflow.schemas.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A registry held in memory, for component tests (e.g. with Kafka's TopologyTestDriver) that run
 * without servers. Integration tests use a real registry.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Map<Schema, Integer> ids = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();

    @Override
    public int register(String subject, Schema schema) {
        return ids.computeIfAbsent(schema, s -> {
            int id = nextId.getAndIncrement();
            schemas.put(id, s);
            return id;
        });
    }

    @Override
    public int lookup(String subject, Schema schema) {
        Integer id = ids.get(schema);
        if (id == null) {
            throw new SchemaRegistryException("schema not registered under " + subject, 404);
        }
        return id;
    }

    @Override
    public Schema byId(int id) {
        Schema schema = schemas.get(id);
        if (schema == null) {
            throw new SchemaRegistryException("schema id " + id + " not found", 404);
        }
        return schema;
    }
}
