package io.eventflow.command.pipeline;

import io.eventflow.schemas.serde.InMemorySchemaRegistryClient;
import io.eventflow.schemas.serde.SchemaRegistryClient;
import io.eventflow.schemas.serde.SchemaRegistryUnavailableException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/** An in-memory registry whose schema reads can be made to fail as if the registry were unreachable. */
final class FlakyRegistry implements SchemaRegistryClient {
    private final InMemorySchemaRegistryClient delegate = new InMemorySchemaRegistryClient();
    final AtomicInteger unavailableReads = new AtomicInteger();

    @Override
    public int register(String subject, Schema schema) {
        return delegate.register(subject, schema);
    }

    @Override
    public int lookup(String subject, Schema schema) {
        return delegate.lookup(subject, schema);
    }

    @Override
    public Schema byId(int id) {
        if (unavailableReads.getAndUpdate(n -> n > 0 ? n - 1 : n) != 0) {
            throw new SchemaRegistryUnavailableException("connection refused (test)");
        }
        return delegate.byId(id);
    }

    @Override
    public java.util.OptionalInt find(String subject, Schema schema) {
        return delegate.find(subject, schema);
    }

    @Override
    public java.util.OptionalInt latestId(String subject) {
        return delegate.latestId(subject);
    }

    @Override
    public java.util.OptionalInt highestId() {
        return delegate.highestId();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
    }
}
