package io.eventflow.payments.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventflow.aggregate.EventData;
import io.eventflow.aggregate.Envelopes;
import io.eventflow.aggregate.Histories;
import io.eventflow.aggregate.Recorded;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.payments.PaymentEvent;
import io.eventflow.payments.PaymentState;
import io.eventflow.payments.Payments;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/**
 * Events written with the version-1 contracts ({@link V1Fixtures}) stay readable by today's code,
 * on both paths a rebuild or a reader takes: Avro resolution from Kafka bytes (projector, rebuild)
 * and event-store documents folded by {@link Histories} (command side's state, the API's asOf).
 */
class V1EventsTest {
    private static final Schema V1 = V1Fixtures.eventEnvelope();

    /** What the projector's deserializer does: writer schema from the registry, reader = today's class. */
    private static EventEnvelope readWithTodaysSchema(String fixture) throws IOException {
        var reader = new SpecificDatumReader<EventEnvelope>(V1, EventEnvelope.getClassSchema());
        return reader.read(null, DecoderFactory.get().binaryDecoder(V1Fixtures.event(fixture), null));
    }

    private static GenericRecord readAsWritten(String fixture) throws IOException {
        var reader = new GenericDatumReader<GenericRecord>(V1);
        return reader.read(null, DecoderFactory.get().binaryDecoder(V1Fixtures.event(fixture), null));
    }

    private static PaymentState foldFromKafka(String id) throws IOException {
        PaymentState state = PaymentState.initial(id);
        for (String fixture : V1Fixtures.EVENTS) {
            EventEnvelope e = readWithTodaysSchema(fixture);
            if (!e.getAggregateId().equals(id)) {
                continue;
            }
            var view = Envelopes.event(e);
            PaymentEvent event = Payments.TYPE.avro().event(view.payload());
            state = Payments.TYPE.domain().evolve(state, new Recorded<>(view.aggregateId(), view.version(),
                    view.timestamp(), event));
        }
        return state;
    }

    @Test
    void theV1EnvelopeIsBackwardCompatibleWithTodaysReader() {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(EventEnvelope.getClassSchema(), V1);
        assertThat(result.getType()).as("%s", result.getDescription())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void aRenameWithoutItsAliasWouldBreakTheV1Events() {
        Schema broken = new Schema.Parser().parse(EventEnvelope.getClassSchema().toString()
                .replace(",\"aliases\":[\"error\"]", ""));
        assertThat(broken.toString()).isNotEqualTo(EventEnvelope.getClassSchema().toString());
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(broken, V1).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void v1BytesResolveToTodaysRecordsWithDefaultsAndAliases() throws IOException {
        EventEnvelope processed = readWithTodaysSchema("pay-v1a-1-processed");
        assertThat(processed.getPayload()).isEqualTo(
                new PaymentProcessed("pay-v1a", 12_500L, "EUR", "org-v1", "u-v1", null));
        assertThat(processed.getMetadata().getExtra()).containsEntry("channel", "web").containsEntry("campaign", "spring");
        assertThat(processed.getTimestamp()).isEqualTo(Instant.parse("2026-01-01T00:01:00Z"));
        assertThat(processed.getCausationId()).isEqualTo("cmd-pay-v1a-1");

        EventEnvelope failed = readWithTodaysSchema("pay-v1b-2-failed");
        assertThat(failed.getPayload()).isEqualTo(new PaymentFailed("pay-v1b", "card declined"));
        assertThat(failed.getMetadata().getExtra()).containsEntry("gateway", "acme");
    }

    @Test
    void v1EventsFoldThroughTheAvroEdgeIntoTodaysState() throws IOException {
        PaymentState refunded = foldFromKafka("pay-v1a");
        assertThat(refunded.status()).isEqualTo(PaymentState.Status.REFUNDED);
        assertThat(refunded.amount()).isEqualTo(12_500);
        assertThat(refunded.refundedTotal()).isEqualTo(12_500);
        assertThat(refunded.refundCount()).isEqualTo(2);
        assertThat(refunded.version()).isEqualTo(3);
        assertThat(refunded.description()).isNull();
        assertThat(refunded.disputedAt()).isNull();
        assertThat(refunded.updatedAt()).isEqualTo(Instant.parse("2026-01-01T00:03:00Z"));

        PaymentState failed = foldFromKafka("pay-v1b");
        assertThat(failed.status()).isEqualTo(PaymentState.Status.FAILED);
        assertThat(failed.error()).isEqualTo("card declined");
        assertThat(failed.currency()).isEqualTo("USD");
        assertThat(failed.version()).isEqualTo(2);
        assertThat(Payments.TYPE.readModel().toDocument(failed)).containsEntry("error", "card declined")
                .containsEntry("description", null).containsEntry("disputeReason", null);
    }

    /** The event-store document of a fixture, its eventData as written (v1 field names). */
    private static EventDocument documentAsWritten(String fixture, Integer schemaVersion) throws IOException {
        GenericRecord e = readAsWritten(fixture);
        GenericRecord payload = (GenericRecord) e.get("payload");
        return new EventDocument(e.get("eventId").toString(), e.get("aggregateId").toString(),
                e.get("aggregateType").toString(), e.get("eventType").toString(), (Long) e.get("version"),
                Instant.ofEpochMilli((Long) e.get("timestamp")), e.get("correlationId").toString(),
                e.get("causationId").toString(), EventData.toMap(payload), Map.of(), null, null, schemaVersion);
    }

    @Test
    void v1DocumentsFoldThroughHistories() throws IOException {
        List<EventDocument> docs = new ArrayList<>();
        for (String f : List.of("pay-v1b-1-processed", "pay-v1b-2-failed")) {
            docs.add(documentAsWritten(f, null));
        }
        // As written in v1: "error", and no "description" at all.
        assertThat(docs.get(1).eventData()).containsOnlyKeys("paymentId", "error");
        assertThat(docs.get(0).eventData()).doesNotContainKey("description");

        PaymentState state = Histories.fold(Payments.TYPE, "pay-v1b", docs);
        assertThat(state).isEqualTo(foldFromKafka("pay-v1b"));
        assertThat(state.error()).isEqualTo("card declined");
        assertThat(state.description()).isNull();
    }

    @Test
    void aHandWrittenV1DocumentAndAV2OneFoldAlike() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        Map<String, Object> processedV1 = new LinkedHashMap<>(Map.of("paymentId", "p-9", "amount", 700,
                "currency", "EUR", "organizationId", "o", "userId", "u"));
        var v1 = List.of(
                new EventDocument("e1", "p-9", "Payment", "PaymentProcessed", 1, t, "c", "k1", processedV1, Map.of()),
                new EventDocument("e2", "p-9", "Payment", "PaymentFailed", 2, t, "c", "k2",
                        Map.of("paymentId", "p-9", "error", "expired card"), Map.of()));
        Map<String, Object> processedV2 = new LinkedHashMap<>(processedV1);
        processedV2.put("description", null);
        var v2 = List.of(
                new EventDocument("e1", "p-9", "Payment", "PaymentProcessed", 1, t, "c", "k1", processedV2, Map.of(),
                        null, null, 2),
                new EventDocument("e2", "p-9", "Payment", "PaymentFailed", 2, t, "c", "k2",
                        Map.of("paymentId", "p-9", "reason", "expired card"), Map.of(), null, null, 2));
        PaymentState fromV1 = Histories.fold(Payments.TYPE, "p-9", v1);
        assertThat(fromV1.error()).isEqualTo("expired card");
        assertThat(fromV1.amount()).isEqualTo(700);
        assertThat(Histories.fold(Payments.TYPE, "p-9", v2)).isEqualTo(fromV1);
    }

    @Test
    void theChangedPayloadsSayTheirShapeVersion() {
        assertThat(EventData.shapeVersion(PaymentProcessed.getClassSchema())).isEqualTo(2);
        assertThat(EventData.shapeVersion(PaymentFailed.getClassSchema())).isEqualTo(2);
        assertThat(EventData.shapeVersion(io.eventflow.schemas.payment.PaymentRefunded.getClassSchema())).isEqualTo(1);
        assertThat(EventData.shapeVersion(io.eventflow.schemas.payment.PaymentDisputed.getClassSchema())).isEqualTo(1);
        Schema v1Failed = V1.getField("payload").schema().getTypes().get(1);
        assertThat(v1Failed.getName()).isEqualTo("PaymentFailed");
        assertThat(EventData.shapeVersion(v1Failed)).isEqualTo(1);
    }
}
