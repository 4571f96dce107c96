package io.eventflow.projection.sink;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDigest;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.Position;
import io.eventflow.projection.ProjectionDocuments;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

class EventDigestTest {
    private static final ObjectMapper MAPPER = ElasticsearchClients.objectMapper();

    private static EventEnvelope event(Object payload, String causation, long version, Map<String, String> extra) {
        return EventEnvelope.newBuilder().setEventId("e-1").setAggregateId("p-1").setAggregateType("Payment")
                .setEventType(payload.getClass().getSimpleName()).setVersion(version)
                .setTimestamp(Instant.parse("2026-11-29T06:32:38.161Z")).setCorrelationId("c-1")
                .setCausationId(causation)
                .setMetadata(Metadata.newBuilder().setOrganizationId("org-1").setUserId("u-1").setExtra(extra).build())
                .setPayload(payload).build();
    }

    private static Map<String, Object> source(byte[] json) throws Exception {
        return MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
    }

    private static final List<EventEnvelope> EVENTS = List.of(
            event(new PaymentProcessed("p-1", 12_345L, "EUR", "org-1", "u-ü", null), "cmd-1", 1, Map.of("k", "v")),
            event(new PaymentFailed("p-1", "card declined: \"insufficient\"\n"), null, 2, Map.of()),
            event(new PaymentRefunded("p-1", 500L), "cmd-2", 3, Map.of()));

    @Test
    void theWriterAndAReaderOfTheStoredDocumentComputeTheSameDigest() throws Exception {
        for (EventEnvelope e : EVENTS) {
            String written = EventDocuments.digest(e);
            assertThat(written).hasSize(64).matches("[0-9a-f]+");
            Map<String, Object> stored = source(EventDocuments.bytes(e, new Position(1, 7)));
            assertThat(stored.get(EventDigest.FIELD)).isEqualTo(written);
            // A document indexed before digests were stored: computed from its fields.
            stored.remove(EventDigest.FIELD);
            assertThat(EventDigest.ofSource(stored)).isEqualTo(written);
            assertThat(MAPPER.convertValue(stored, EventDocument.class).digest()).isEqualTo(written);
            assertThat(ProjectionDocuments.event(e).digest()).isEqualTo(written);
        }
    }

    @Test
    void whatIsNotPartOfTheEventsIdentityDoesNotChangeIt() throws Exception {
        EventEnvelope e = EVENTS.get(0);
        EventEnvelope other = EventEnvelope.newBuilder(e).setEventId("e-2").setCorrelationId("c-2")
                .setTimestamp(Instant.now()).setMetadata(Metadata.newBuilder().setOrganizationId("org-2")
                        .setUserId(null).setExtra(Map.of("x", "y")).build()).build();
        assertThat(EventDocuments.digest(other)).isEqualTo(EventDocuments.digest(e));
        // An integral amount written as 12345.0 by another writer is the same number; key order does not count.
        Map<String, Object> stored = source(EventDocuments.bytes(e, null));
        stored.remove(EventDigest.FIELD);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("userId", "u-ü");
        data.put("amount", 12_345.0);
        data.put("currency", "EUR");
        data.put("organizationId", "org-1");
        data.put("paymentId", "p-1");
        // The payload's fields are part of the identity: since contract version 2 that includes a null description.
        data.put("description", null);
        stored.put("eventData", data);
        assertThat(EventDigest.ofSource(stored)).isEqualTo(EventDocuments.digest(e));
    }

    @Test
    void aChangeOfPayloadCausationTypeOrVersionChangesIt() {
        EventEnvelope e = EVENTS.get(0);
        String digest = EventDocuments.digest(e);
        assertThat(EventDocuments.digest(EventEnvelope.newBuilder(e)
                .setPayload(new PaymentProcessed("p-1", 12_346L, "EUR", "org-1", "u-ü", null)).build())).isNotEqualTo(digest);
        assertThat(EventDocuments.digest(EventEnvelope.newBuilder(e)
                .setPayload(new PaymentProcessed("p-1", 12_345L, "USD", "org-1", "u-ü", null)).build())).isNotEqualTo(digest);
        assertThat(EventDocuments.digest(EventEnvelope.newBuilder(e).setCausationId("cmd-9").build()))
                .isNotEqualTo(digest);
        assertThat(EventDocuments.digest(EventEnvelope.newBuilder(e).setCausationId(null).build()))
                .isNotEqualTo(digest);
        assertThat(EventDocuments.digest(EventEnvelope.newBuilder(e).setVersion(2).build())).isNotEqualTo(digest);
        assertThat(EventDocuments.digest(EventEnvelope.newBuilder(e).setAggregateId("p-2").build()))
                .isNotEqualTo(digest);
        assertThat(EventDocuments.digest(EventEnvelope.newBuilder(e).setAggregateType("Order").build()))
                .isNotEqualTo(digest);
        assertThat(EventDocuments.digest(EventEnvelope.newBuilder(e).setEventType("PaymentProcessedV2").build()))
                .isNotEqualTo(digest);
    }

    @Test
    void aStoredPaymentEventReadsBackAsTheEventItWasWrittenFrom() throws Exception {
        for (EventEnvelope e : EVENTS) {
            Map<String, Object> stored = source(EventDocuments.bytes(e, new Position("payment-events", 2, 9)));
            var doc = io.eventflow.eventstore.ElasticsearchClients.objectMapper().convertValue(stored,
                    io.eventflow.eventstore.EventDocument.class);
            var back = io.eventflow.aggregate.Histories.recorded(io.eventflow.payments.Payments.TYPE, doc);
            assertThat(back.event()).isEqualTo(io.eventflow.payments.Payments.TYPE.avro().event(
                    (org.apache.avro.specific.SpecificRecord) e.getPayload()));
            assertThat(back.version()).isEqualTo(e.getVersion());
            assertThat(back.timestamp()).isEqualTo(e.getTimestamp());
            assertThat(EventDocuments.position(stored)).isEqualTo(new Position("payment-events", 2, 9));
        }
    }
}
