package io.eventflow.command.pipeline;

/**
 * Why the pipeline refused a command before or around the aggregate's own decision. Each is answered
 * with a REJECTED result of the same name (the Avro {@code RejectionReason}); the ones marked below
 * also dead-letter the original record, in the same transaction.
 */
enum Refusal {
    /** The record key is null or is not the UTF-8 bytes of the envelope's aggregateId. Dead-lettered. */
    KEY_MISMATCH(true),
    /**
     * The envelope's aggregateType is not the type whose commands topic it was sent to. Dead-lettered:
     * it was misrouted, and applying it to this type's aggregate of the same id would be wrong.
     */
    WRONG_AGGREGATE_TYPE(true),
    /** An id or the metadata breaks {@code EnvelopeRules}. */
    INVALID_ENVELOPE(false),
    /** No handler for the payload's type. Dead-lettered. */
    UNSUPPORTED_COMMAND(true),
    /** The aggregate's history cannot be loaded (a gap, an unknown event type). Dead-lettered. */
    AGGREGATE_UNAVAILABLE(true),
    /** The aggregate's stored state would outgrow {@code idempotency.max.bytes.per.aggregate}. */
    STATE_LIMIT_EXCEEDED(false);

    final boolean deadLettered;

    Refusal(boolean deadLettered) {
        this.deadLettered = deadLettered;
    }
}
