package io.eventflow.projection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.Position;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    private static final ObjectMapper MAPPER = ElasticsearchClients.objectMapper();

    private static EventEnvelope event(Object payload, String causation, Metadata metadata) {
        return EventEnvelope.newBuilder().setEventId("e-1").setAggregateId("p-1").setAggregateType("Payment")
                .setEventType(payload.getClass().getSimpleName()).setVersion(3)
                .setTimestamp(Instant.parse("2026-11-29T06:32:38.161Z")).setCorrelationId("c-\"quoted\"\n")
                .setCausationId(causation).setMetadata(metadata).setPayload(payload).build();
    }

    @Test
    void writesTheSameDocumentAsTheMapperDoesForEveryPayloadAndNulls() throws Exception {
        Metadata full = Metadata.newBuilder().setOrganizationId("org-1").setUserId("u-ü")
                .setExtra(Map.of("source", "test", "note", "a\tb")).build();
        Metadata sparse = Metadata.newBuilder().setOrganizationId(null).setUserId(null).setExtra(Map.of()).build();
        for (EventEnvelope e : List.of(
                event(new PaymentProcessed("p-1", 12_345L, "EUR", "org-1", "u-1", null), "cmd-1", full),
                event(new PaymentFailed("p-1", "card declined: \"insufficient\""), null, sparse),
                event(new PaymentRefunded("p-1", 500L), "cmd-2", full))) {
            for (Position at : java.util.Arrays.asList(new Position(2, 41L), null)) {
                byte[] fast = EventJson.bytes(e, at);
                byte[] reference = MAPPER.writeValueAsBytes(EventDocuments.of(e, at));
                assertThat(MAPPER.readTree(fast)).as(new String(fast)).isEqualTo(MAPPER.readTree(reference));
            }
        }
    }
}
