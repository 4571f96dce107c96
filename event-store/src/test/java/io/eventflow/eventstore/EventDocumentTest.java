package io.eventflow.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventDocumentTest {
    private static final ObjectMapper MAPPER = ElasticsearchClients.objectMapper();
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aDocumentWithoutSchemaVersionReadsAsNullAndOneWithItKeepsIt() throws Exception {
        String old = """
                {"eventId":"e1","aggregateId":"p-1","aggregateType":"Payment","eventType":"PaymentFailed",
                 "version":2,"timestamp":"2026-01-01T00:00:00Z","correlationId":"c","causationId":"k",
                 "eventData":{"paymentId":"p-1","error":"declined"},"metadata":{}}""";
        EventDocument d = MAPPER.readValue(old, EventDocument.class);
        assertThat(d.schemaVersion()).isNull();
        assertThat(d.eventData()).containsEntry("error", "declined");

        EventDocument v2 = new EventDocument("e1", "p-1", "Payment", "PaymentFailed", 2, T, "c", "k",
                Map.of("paymentId", "p-1", "reason", "declined"), Map.of(), null, null, 2);
        assertThat(MAPPER.writeValueAsString(d)).doesNotContain("schemaVersion");
        EventDocument back = MAPPER.readValue(MAPPER.writeValueAsString(v2), EventDocument.class);
        assertThat(back).isEqualTo(v2);
        assertThat(back.schemaVersion()).isEqualTo(2);
    }

    @Test
    void theSchemaVersionIsNotPartOfTheDigest() {
        var a = new EventDocument("e1", "p-1", "Payment", "PaymentFailed", 2, T, "c", "k", Map.of("x", 1), Map.of(),
                null, null, null);
        var b = new EventDocument("e1", "p-1", "Payment", "PaymentFailed", 2, T, "c", "k", Map.of("x", 1), Map.of(),
                null, null, 3);
        assertThat(b.digest()).isEqualTo(a.digest());
        assertThatThrownBy(() -> new EventDocument("e1", "p-1", "Payment", "PaymentFailed", 2, T, "c", "k", Map.of(),
                Map.of(), null, null, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEventsTemplateMapsSchemaVersionAsAnInteger() throws Exception {
        String text = new EventStoreIndices("").templateJson("events", IndexSettings.defaults(0));
        var props = MAPPER.readTree(text).path("template").path("mappings").path("properties");
        assertThat(props.path("schemaVersion").path("type").asText()).isEqualTo("integer");
    }
}
