package io.eventflow.payments.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventflow.aggregate.AggregateNames;
import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.AvroEdge;
import io.eventflow.aggregate.Domain;
import io.eventflow.aggregate.Histories;
import io.eventflow.aggregate.ReadModel;
import io.eventflow.aggregate.StateCodec;
import io.eventflow.aggregate.Upcaster;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.payments.PaymentCommand;
import io.eventflow.payments.PaymentEvent;
import io.eventflow.payments.PaymentState;
import io.eventflow.payments.Payments;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Histories} hands each document's data to the type's {@link Upcaster} with the document's
 * {@code schemaVersion} (1 when it has none). Payments' own v2 changes need no upcaster (Avro
 * defaults and aliases cover them), so this test wraps payments with a tiny one: pretend refunds of
 * shape version 1 were in major units (whole euros) and version 2 in minor units.
 */
class UpcasterTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private static final Upcaster MAJOR_TO_MINOR = (eventType, schemaVersion, data) -> {
        if (!eventType.equals("PaymentRefunded") || schemaVersion >= 2) {
            return data;
        }
        Map<String, Object> out = new HashMap<>(data);
        out.put("refundAmount", ((Number) data.get("refundAmount")).longValue() * 100);
        return out;
    };

    /** Payments with the upcaster above. */
    private static final AggregateType<PaymentState, PaymentCommand, PaymentEvent> UPCASTING = new AggregateType<>() {
        @Override
        public AggregateNames names() {
            return Payments.TYPE.names();
        }

        @Override
        public Domain<PaymentState, PaymentCommand, PaymentEvent> domain() {
            return Payments.TYPE.domain();
        }

        @Override
        public AvroEdge<PaymentCommand, PaymentEvent> avro() {
            return Payments.TYPE.avro();
        }

        @Override
        public StateCodec<PaymentState> stateCodec() {
            return Payments.TYPE.stateCodec();
        }

        @Override
        public ReadModel<PaymentState> readModel() {
            return Payments.TYPE.readModel();
        }

        @Override
        public Upcaster upcaster() {
            return MAJOR_TO_MINOR;
        }
    };

    private static EventDocument refund(long version, long amount, Integer schemaVersion) {
        return new EventDocument("e" + version, "p-1", "Payment", "PaymentRefunded", version, T, "c", "k" + version,
                Map.of("paymentId", "p-1", "refundAmount", amount), Map.of(), null, null, schemaVersion);
    }

    @Test
    void historiesUpcastEachDocumentFromTheShapeVersionItSays() {
        var processed = new EventDocument("e1", "p-1", "Payment", "PaymentProcessed", 1, T, "c", "k1",
                Map.of("paymentId", "p-1", "amount", 10_000, "currency", "EUR", "organizationId", "o", "userId", "u"),
                Map.of(), null, null, 2);
        List<EventDocument> docs = List.of(processed,
                refund(2, 10, null), // no schemaVersion: written before versions, read as 1: 10 euros
                refund(3, 20, 1), // 20 euros
                refund(4, 500, 2)); // already minor units
        PaymentState s = Histories.fold(UPCASTING, "p-1", docs);
        assertThat(s.refundedTotal()).isEqualTo(1_000 + 2_000 + 500);
        assertThat(s.refundCount()).isEqualTo(3);
        // Payments itself has no upcaster: the same documents read as they are.
        assertThat(Histories.fold(Payments.TYPE, "p-1", docs).refundedTotal()).isEqualTo(10 + 20 + 500);
    }
}
