package io.eventflow.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A permanent schema registry error: retrying the same request gives the same answer
 * (unknown schema id, unknown subject, incompatible or invalid schema). A reader that gets one for
 * a record treats that record as bad data; faults of the registry itself are
 * {@link SchemaRegistryUnavailableException} instead.
 */
public class SchemaRegistryException extends SerializationException {
    /** No Confluent {@code error_code} in the answer. */
    public static final int NO_ERROR_CODE = -1;

    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status) {
        this(message, status, NO_ERROR_CODE);
    }

    public SchemaRegistryException(String message, int status, int errorCode) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** The HTTP status the registry answered with. */
    public int status() {
        return status;
    }

    /** The Confluent {@code error_code} of the answer (e.g. 40403), or {@link #NO_ERROR_CODE}. */
    public int errorCode() {
        return errorCode;
    }
}
