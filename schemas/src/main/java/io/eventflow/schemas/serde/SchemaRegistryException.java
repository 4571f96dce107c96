package io.eventflow.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A permanent schema registry error: retrying the same request gives the same answer
 * (unknown schema id, unknown subject, incompatible or invalid schema).
 */
public class SchemaRegistryException extends SerializationException {
    private final int status;

    public SchemaRegistryException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The HTTP status the registry answered with. */
    public int status() {
        return status;
    }
}
