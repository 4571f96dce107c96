package io.eventflow.projection;

/** Elasticsearch or Kafka could not take the batch now; the batch is retried, never skipped. */
final class TransientProjectionException extends RuntimeException {
    TransientProjectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
