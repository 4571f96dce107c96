package io.eventflow.projection.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.Position;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class EventDocumentsTest {
    private static final ObjectMapper MAPPER = ElasticsearchClients.objectMapper();

    private static EventEnvelope event(Object payload, String causation, Metadata metadata) {
        return EventEnvelope.newBuilder().setEventId("e-1").setAggregateId("p-1").setAggregateType("Payment")
                .setEventType(payload.getClass().getSimpleName()).setVersion(3)
                .setTimestamp(Instant.parse("2026-11-29T06:32:38.161Z")).setCorrelationId("c-\"quoted\"\n")
                .setCausationId(causation).setMetadata(metadata).setPayload(payload).build();
    }

    private static List<EventEnvelope> events() {
        Metadata full = Metadata.newBuilder().setOrganizationId("org-1").setUserId("u-ü")
                .setExtra(Map.of("source", "test", "note", "a\tb")).build();
        Metadata sparse = Metadata.newBuilder().setOrganizationId(null).setUserId(null).setExtra(Map.of()).build();
        return List.of(
                event(new PaymentProcessed("p-1", 12_345L, "EUR", "org-1", "u-1", null), "cmd-1", full),
                event(new PaymentFailed("p-1", "card declined: \"insufficient\""), null, sparse),
                event(new PaymentRefunded("p-1", 500L), "cmd-2", full));
    }

    /**
     * The document built field by field from the envelope, as the projector built it before the
     * streaming writer became the one definition: the reference both forms must agree with.
     */
    private static EventDocument reference(EventEnvelope e, Position at) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        Metadata m = e.getMetadata();
        if (m != null) {
            metadata.put("organizationId", m.getOrganizationId());
            metadata.put("userId", m.getUserId());
            metadata.put("extra", m.getExtra() == null ? Map.of() : new LinkedHashMap<>(m.getExtra()));
        }
        GenericRecord payload = (GenericRecord) e.getPayload();
        return new EventDocument(e.getEventId(), e.getAggregateId(), e.getAggregateType(), e.getEventType(),
                e.getVersion(), e.getTimestamp(), e.getCorrelationId(), e.getCausationId(),
                EventDocuments.toMap(payload), metadata, at, null,
                io.eventflow.aggregate.EventData.shapeVersion(payload.getSchema()));
    }

    @Test
    void streamedBytesAreTheReferenceDocumentForEveryPayloadAndNulls() throws Exception {
        for (EventEnvelope e : events()) {
            for (Position at : Arrays.asList(new Position(2, 41L), new Position("payment-events", 2, 41L), null)) {
                byte[] fast = EventDocuments.bytes(e, at);
                byte[] reference = MAPPER.writeValueAsBytes(reference(e, at));
                assertThat(MAPPER.readTree(fast)).as(new String(fast)).isEqualTo(MAPPER.readTree(reference));
            }
        }
    }

    @Test
    void theDocumentToolsGetAgreesWithTheBytesTheBulkSends() throws Exception {
        for (EventEnvelope e : events()) {
            for (Position at : Arrays.asList(new Position(2, 41L), new Position("payment-events", 2, 41L), null)) {
                EventDocument doc = EventDocuments.of(e, at);
                byte[] bulk = EventDocuments.bytes(e, at);
                assertThat(MAPPER.readTree(MAPPER.writeValueAsBytes(doc))).as(new String(bulk))
                        .isEqualTo(MAPPER.readTree(bulk));
                EventDocument ref = reference(e, at);
                assertThat(doc.digest()).isEqualTo(EventDocuments.digest(e)).isEqualTo(ref.digest());
                assertThat(doc.timestamp()).isEqualTo(e.getTimestamp());
                assertThat(doc.position()).isEqualTo(at);
                assertThat(doc.eventData().keySet()).containsExactlyElementsOf(ref.eventData().keySet());
                assertThat(doc.metadata()).isEqualTo(MAPPER.convertValue(ref.metadata(), Map.class));
            }
        }
    }

    @Test
    void aReadModelDocumentHoldsThePositionOfItsLastEventAndLeavesTheFieldsAlone() {
        Map<String, Object> fields = new LinkedHashMap<>(Map.of("paymentId", "p-1", "version", 3));
        assertThat(EventDocuments.readModel(fields, new Position("payment-events", 2, 41L)))
                .containsEntry("paymentId", "p-1").containsEntry("version", 3)
                .containsEntry("position", Map.of("topic", "payment-events", "partition", 2, "offset", 41L));
        assertThat(EventDocuments.readModel(fields, new Position(2, 41L)))
                .containsEntry("position", Map.of("partition", 2, "offset", 41L));
        Map<String, Object> none = EventDocuments.readModel(fields, null);
        assertThat(none).containsKey("position");
        assertThat(none.get("position")).isNull();
        assertThat(fields).doesNotContainKey("position");
    }
}
