package io.eventflow.schemas.serde;

import org.apache.kafka.common.errors.RetriableException;

/**
 * A transient schema registry error: the registry could not be reached, timed out, or answered
 * 408/429/5xx. The same request may succeed later, so callers retry rather than dead-letter.
 */
public class SchemaRegistryUnavailableException extends RetriableException {
    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public SchemaRegistryUnavailableException(String message) {
        super(message);
    }
}
