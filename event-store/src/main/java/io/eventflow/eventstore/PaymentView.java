package io.eventflow.eventstore;

import java.time.Instant;

/**
 * The payments read model, one document per payment ({@code _id} = paymentId). Written by the
 * projector with external versioning ({@link #version()} = aggregate version), read by the API.
 *
 * <p>{@code status} is {@code processed}, {@code failed} or {@code refunded} (refunded in full).
 * {@code amount} and {@code refundAmount} (the sum refunded so far) are integer minor units.
 * {@code refundCount} is the number of refunds. Timestamps are null until the matching event
 * happened. {@code position} is where the last event folded in sits in the events topic (null for
 * documents written by other means).
 */
public record PaymentView(
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
