package io.eventflow.schemas.serde;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API that the serde needs.
 *
 * <p>Implementations are thread-safe and cache what they learn: a schema id never changes meaning.
 * Errors are typed by retryability: {@link SchemaRegistryUnavailableException} (transient: the
 * registry could not be reached, or answered 429/5xx) and {@link SchemaRegistryException}
 * (permanent: e.g. an unknown schema id or an incompatible schema).
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** Returns the id of {@code schema} if it is already registered under {@code subject}. */
    int lookup(String subject, Schema schema);

    /** Returns the schema with global id {@code id}; never null. */
    Schema byId(int id);

    @Override
    default void close() {
    }
}
