package io.eventflow.schemas.serde;

import org.apache.kafka.common.errors.RetriableException;

/**
 * An infrastructure fault of the schema registry: it could not be reached or timed out, refused
 * the client (401, 403), answered 408/429/5xx, answered something that is not the Confluent API
 * (a 404 without error code from a URL missing its API path, an HTML page, malformed JSON), or it
 * evidently is not the registry the records were written with (schema ids it never reached, most
 * ids unknown, version skew). The same request may succeed once the registry or the configuration
 * is fixed, so callers retry (within a bound) and never dead-letter a record for it.
 */
public class SchemaRegistryUnavailableException extends RetriableException {
    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public SchemaRegistryUnavailableException(String message) {
        super(message);
    }

    private boolean refusedCredentials;

    /** The registry answered 401 or 403: the credentials are missing, wrong or lack a permission. */
    public static SchemaRegistryUnavailableException refused(String message) {
        var e = new SchemaRegistryUnavailableException(message);
        e.refusedCredentials = true;
        return e;
    }

    /** True when the registry refused the credentials (401/403): a misconfiguration, not an outage. */
    public boolean refusedCredentials() {
        return refusedCredentials;
    }
}
