package io.eventflow.e2e;

import io.eventflow.eventstore.Position;

import java.time.Instant;

/**
 * A test's view of a payments read-model document, read from Elasticsearch with Jackson. The
 * document's shape is the payments module's (PaymentReadModel); this record only reads it.
 */
record PaymentView(
        String paymentId,
        String status,
        Long amount,
        String currency,
        String organizationId,
        String userId,
        Instant processedAt,
        Instant failedAt,
        Instant refundedAt,
        long refundAmount,
        int refundCount,
        String error,
        Instant updatedAt,
        long version,
        Position position) {
}
