package io.eventflow.projection;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventflow.eventstore.PaymentView;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PaymentViewsTest {
    private static EventEnvelope event(long version, String type, Object payload) {
        return EventEnvelope.newBuilder()
                .setEventId("e-" + version).setAggregateId("p-1").setAggregateType("Payment").setEventType(type)
                .setVersion(version).setTimestamp(Instant.ofEpochSecond(1_000 + version)).setCorrelationId("c")
                .setMetadata(Metadata.newBuilder().setExtra(Map.of()).build()).setPayload(payload).build();
    }

    private static final EventEnvelope PROCESSED = event(1, "PaymentProcessed", new PaymentProcessed("p-1", 1_000L, "EUR", "o", "u", null));

    @Test
    void partialThenFullRefundEndsRefunded() {
        PaymentView v = PaymentViews.apply(null, PROCESSED, null);
        v = PaymentViews.apply(v, event(2, "PaymentRefunded", new PaymentRefunded("p-1", 400L)), null);
        assertThat(v.status()).isEqualTo("processed");
        assertThat(v.refundAmount()).isEqualTo(400);
        v = PaymentViews.apply(v, event(3, "PaymentRefunded", new PaymentRefunded("p-1", 600L)), null);
        assertThat(v.status()).isEqualTo("refunded");
        assertThat(v.refundAmount()).isEqualTo(1_000);
        assertThat(v.refundCount()).isEqualTo(2);
        assertThat(v.version()).isEqualTo(3);
        assertThat(v.processedAt()).isEqualTo(Instant.ofEpochSecond(1_001));
    }

    @Test
    void aRepeatedOrOlderEventChangesNothing() {
        PaymentView failed = PaymentViews.apply(PaymentViews.apply(null, PROCESSED, null),
                event(2, "PaymentFailed", new PaymentFailed("p-1", "declined")), null);
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(PaymentViews.apply(failed, PROCESSED, null)).isSameAs(failed);
        assertThat(PaymentViews.apply(failed, event(2, "PaymentFailed", new PaymentFailed("p-1", "other")), null)).isSameAs(failed);
    }
}
