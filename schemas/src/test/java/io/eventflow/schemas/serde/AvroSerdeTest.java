package io.eventflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.payment.ProcessPayment;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final AvroSerializer<CommandEnvelope> serializer = new AvroSerializer<>(registry, true);
    private final AvroDeserializer<CommandEnvelope> deserializer = new AvroDeserializer<>(registry, CommandEnvelope.class);

    static CommandEnvelope command() {
        return CommandEnvelope.newBuilder()
                .setCommandId("c-1").setAggregateId("p-1").setCorrelationId("corr-1")
                .setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L))
                .setMetadata(Metadata.newBuilder().setOrganizationId("org-1").setUserId("u-1").setExtra(Map.of()).build())
                .setPayload(new ProcessPayment("p-1", 10_000L, "EUR", "org-1", "u-1", null))
                .build();
    }

    @Test
    void writesConfluentWireFormatAndReadsItBack() {
        byte[] bytes = serializer.serialize("commands", command());

        assertThat(bytes[0]).isZero();
        assertThat(java.nio.ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(1);
        assertThat(deserializer.deserialize("commands", bytes)).isEqualTo(command());
    }

    @Test
    void rejectsBytesWithoutTheMagicByte() {
        assertThatThrownBy(() -> deserializer.deserialize("commands", "not avro at all".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("magic byte");
    }

    @Test
    void anIsolatedUnknownSchemaIdWithinTheSubjectsIdsIsAPermanentError() {
        byte[] bytes = serializer.serialize("commands", command());
        bytes[4] = 0; // id 0: below the subject's latest id (1), never assigned
        assertThatThrownBy(() -> deserializer.deserialize("commands", bytes))
                .isInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("schema id 0");
    }

    @Test
    void truncatedPayloadIsASerializationError() {
        byte[] bytes = serializer.serialize("commands", command());
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThatThrownBy(() -> deserializer.deserialize("commands", truncated))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void unreachableRegistryIsTransient() {
        var client = new RestSchemaRegistryClient("http://127.0.0.1:1", java.time.Duration.ofMillis(500));
        assertThatThrownBy(() -> client.byId(1)).isInstanceOf(SchemaRegistryUnavailableException.class);
    }
}
