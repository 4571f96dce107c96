package io.eventflow.eventstore;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Why a service could not start, in words an operator can act on: Kafka's authentication and
 * authorization errors get the keys and the README section to check.
 */
public final class StartupFailures {
    private StartupFailures() {
    }

    /** {@code failure}'s message, plus what to check when Kafka refused the credentials or an operation. */
    public static String explain(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationException) {
                return message + " (Kafka refused the credentials: check security.protocol, sasl.mechanism and "
                        + "sasl.jaas.config, or KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM, KAFKA_SASL_JAAS_CONFIG)";
            }
            if (t instanceof AuthorizationException) {
                return message + " (Kafka refused an operation: the principal lacks an ACL; the README's "
                        + "\"Least privilege\" lists the ACLs each service needs)";
            }
        }
        return message;
    }
}
