package io.eventflow.schemas.serde;

import java.util.OptionalInt;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API that the serde needs.
 *
 * <p>Implementations are thread-safe and cache what they learn: a schema id never changes meaning.
 * Errors are typed by retryability: {@link SchemaRegistryUnavailableException} (infrastructure: the
 * registry could not be reached, refused the client, or answered something that is not the API)
 * and {@link SchemaRegistryException} (permanent: e.g. an incompatible schema), with
 * {@link SchemaNotFoundException} for an unknown schema id.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** Returns the id of {@code schema} if it is already registered under {@code subject}. */
    int lookup(String subject, Schema schema);

    /**
     * Returns the schema with global id {@code id}; never null.
     *
     * @throws SchemaNotFoundException when the registry answers 40403 for the id
     */
    Schema byId(int id);

    /**
     * The id of {@code schema} under {@code subject}, or empty when the registry says that the
     * subject does not exist or does not hold that schema. Never cached as empty.
     */
    default OptionalInt find(String subject, Schema schema) {
        try {
            return OptionalInt.of(lookup(subject, schema));
        } catch (SchemaRegistryException e) {
            if (e.status() == 404) {
                return OptionalInt.empty();
            }
            throw e;
        }
    }

    /**
     * The schema id of the latest version of {@code subject}, or empty when the subject does not
     * exist; asked of the registry every time (not cached). Clients that cannot tell say so with
     * an infrastructure fault, so that an unknown id is never taken for bad data on a guess.
     */
    default OptionalInt latestId(String subject) {
        throw new SchemaRegistryUnavailableException(getClass().getName()
                + " cannot tell the latest schema id of subject " + subject);
    }

    /**
     * The highest schema id the registry holds under any subject, or empty when it holds none.
     * Ids are global and handed out in increasing order, so an unknown id above it was never
     * reached by this registry: a wrong or emptied registry, not one bad record. (A subject's own
     * latest id is no bound: registries reuse the id of identical schema text, so an old subject
     * can have a low id while other subjects' ids go far higher.) Clients that cannot tell say so
     * with an infrastructure fault.
     */
    default OptionalInt highestId() {
        throw new SchemaRegistryUnavailableException(getClass().getName() + " cannot tell its highest schema id");
    }

    /**
     * Sets the compatibility level of {@code subject} (Confluent {@code PUT /config/{subject}}): the
     * registry then refuses to register a schema under it that breaks the level, with a 409 that
     * {@link #register} reports as a {@link SchemaRegistryException} naming the subject. Clients that
     * cannot say so with an infrastructure fault.
     */
    default void setCompatibility(String subject, Compatibility level) {
        throw new SchemaRegistryUnavailableException(getClass().getName()
                + " cannot set the compatibility of subject " + subject);
    }

    /** Where the registry is, for messages. */
    /**
     * Checks at start-up that the registry accepts this client's credentials and TLS settings.
     *
     * @throws IllegalStateException when it refuses them
     */
    default void checkAccess() {
    }

    default String describe() {
        return getClass().getSimpleName();
    }

    @Override
    default void close() {
    }
}
