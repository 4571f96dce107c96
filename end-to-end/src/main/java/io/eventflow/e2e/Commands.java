package io.eventflow.e2e;

import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.payment.FailPayment;
import io.eventflow.schemas.payment.ProcessPayment;
import io.eventflow.schemas.payment.RefundPayment;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Builds payment command envelopes, as an upstream service would. */
public final class Commands {
    private Commands() {
    }

    public static CommandEnvelope process(String paymentId, long amount, String currency, String org, String user,
            Long expectedVersion) {
        return envelope(paymentId, expectedVersion, org, user, new ProcessPayment(paymentId, amount, currency, org, user, null));
    }

    public static CommandEnvelope fail(String paymentId, String error, String org, String user, Long expectedVersion) {
        return envelope(paymentId, expectedVersion, org, user, new FailPayment(paymentId, error));
    }

    public static CommandEnvelope refund(String paymentId, long amount, String org, String user, Long expectedVersion) {
        return envelope(paymentId, expectedVersion, org, user, new RefundPayment(paymentId, amount));
    }

    private static CommandEnvelope envelope(String paymentId, Long expectedVersion, String org, String user, Object payload) {
        return CommandEnvelope.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setAggregateId(paymentId)
                .setExpectedVersion(expectedVersion)
                .setCorrelationId(UUID.randomUUID().toString())
                .setTimestamp(Instant.now())
                .setMetadata(Metadata.newBuilder().setOrganizationId(org).setUserId(user).setExtra(Map.of("source", "demo")).build())
                .setPayload(payload)
                .build();
    }
}
