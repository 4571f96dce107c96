package io.eventflow.schemas.serde;

/**
 * The registry answered 404 with Confluent error code 40403 ("schema not found") for a schema id.
 * On its own this names one record's bad schema id; {@link AvroDeserializer} decides whether it is
 * isolated (bad data) or the sign of a wrong or emptied registry (an infrastructure fault).
 */
public class SchemaNotFoundException extends SchemaRegistryException {
    /** Confluent's error code for "schema not found". */
    public static final int ERROR_CODE = 40403;

    private final int id;

    public SchemaNotFoundException(String message, int id) {
        super(message, 404, ERROR_CODE);
        this.id = id;
    }

    /** The schema id that was not found. */
    public int id() {
        return id;
    }
}
