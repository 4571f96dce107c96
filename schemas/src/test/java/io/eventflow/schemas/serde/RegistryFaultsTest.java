package io.eventflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventflow.schemas.CommandEnvelope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Bad data versus infrastructure faults in {@link AvroDeserializer}, with the in-memory registry. */
class RegistryFaultsTest {
    private static final String TOPIC = "commands";
    private static final String SUBJECT = "commands-value";

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final AvroSerializer<CommandEnvelope> serializer = new AvroSerializer<>(registry, true);
    private final AvroDeserializer<CommandEnvelope> deserializer = new AvroDeserializer<>(registry, CommandEnvelope.class);

    private byte[] good() {
        return serializer.serialize(TOPIC, AvroSerdeTest.command());
    }

    private static byte[] withId(byte[] record, int id) {
        byte[] copy = record.clone();
        ByteBuffer.wrap(copy).put(1, (byte) (id >>> 24)).put(2, (byte) (id >>> 16)).put(3, (byte) (id >>> 8))
                .put(4, (byte) id);
        return copy;
    }

    /** Wire format: magic byte, id, then the Avro body given as raw bytes. */
    private static byte[] wire(int id, byte... body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array();
    }

    private static byte[] zigzagVarint(long n) {
        long v = (n << 1) ^ (n >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // --- bytes that do not decode with the writer schema their id names: bad data ---

    @Test
    void aTruncatedBodyIsBadData() {
        byte[] bytes = good();
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, Arrays.copyOf(bytes, bytes.length - 7)))
                .isInstanceOf(SerializationException.class).isNotInstanceOf(RetriableException.class);
    }

    @Test
    void aLengthPrefixPastTheRecordsEndIsBadDataWithoutAllocating() {
        good();
        byte[] bytes = wire(1, concat(zigzagVarint(50), "abc".getBytes()));
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class).isNotInstanceOf(RetriableException.class)
                .hasMessageContaining("50 bytes announced").hasMessageContaining("remain");
    }

    @Test
    void aHugeLengthPrefixUnderTwoGibibytesIsBadDataWithoutAllocating() {
        good();
        // commandId announcing 1.9 GB: Avro's own limit (2 GiB - 8) lets it through to an allocation.
        byte[] bytes = wire(1, concat(zigzagVarint(1_900_000_000L), "x".getBytes()));
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class).isNotInstanceOf(RetriableException.class)
                .hasMessageContaining("1900000000 bytes announced");
    }

    @Test
    void aHugeMapCountIsBadDataWithoutAllocating() throws IOException {
        // A valid record up to metadata.extra, whose map count then announces a billion entries.
        byte[] bytes = good();
        CommandEnvelope c = AvroSerdeTest.command();
        c.getMetadata().setExtra(java.util.Map.of("k", "v"));
        byte[] withOne = serializer.serialize(TOPIC, c);
        // The map block "1 entry, k=v" is encoded as 02 02 6b 02 76 00; find it and change the count.
        int at = indexOf(withOne, new byte[] {2, 2, 'k', 2, 'v', 0});
        assertThat(at).isPositive();
        byte[] huge = concat(Arrays.copyOf(withOne, at), zigzagVarint(1_000_000_000L),
                Arrays.copyOfRange(withOne, at + 1, withOne.length));
        assertThat(bytes).isNotEmpty();
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, huge))
                .isInstanceOf(SerializationException.class).isNotInstanceOf(RetriableException.class)
                .hasMessageContaining("1000000000 items announced");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // --- unknown schema ids (40403) ---

    @Test
    void anUnknownIdBeyondTheRegistrysHighestIdIsAnInfrastructureFault() {
        byte[] bytes = withId(good(), 42);
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("schema id 42").hasMessageContaining("highest id it holds (1)");
    }

    @Test
    void anUnknownIdAboveTheSubjectsLatestButBelowAnotherSubjectsIdIsBadData() {
        // Registries reuse the id of identical schema text, so the topic's subject can keep a low id
        // while other subjects' ids climb: a deleted schema's id can lie between the two.
        byte[] good = good();
        registry.register("other-a-value", org.apache.avro.SchemaBuilder.record("A").fields().requiredInt("a").endRecord());
        int deleted = registry.register("other-b-value",
                org.apache.avro.SchemaBuilder.record("B").fields().requiredInt("b").endRecord());
        registry.register("other-c-value", org.apache.avro.SchemaBuilder.record("C").fields().requiredInt("c").endRecord());
        registry.forget(deleted);
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, withId(good, deleted)))
                .isInstanceOf(SchemaNotFoundException.class).hasMessageContaining("schema id " + deleted);
    }

    @Test
    void anUnknownIdWhenTheSubjectDoesNotExistIsAnInfrastructureFault() {
        byte[] bytes = good();
        registry.clear(); // an emptied registry
        var fresh = new AvroDeserializer<>(registry, CommandEnvelope.class);
        assertThatThrownBy(() -> fresh.deserialize(TOPIC, bytes))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("nor subject " + SUBJECT);
    }

    @Test
    void isolatedUnknownIdsAmongGoodRecordsAreBadData() {
        byte[] good = good();
        byte[] unknown = withId(good, 0);
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 9; i++) {
                assertThat(deserializer.deserialize(TOPIC, good)).isNotNull();
            }
            assertThatThrownBy(() -> deserializer.deserialize(TOPIC, unknown)).isInstanceOf(SchemaNotFoundException.class);
        }
    }

    @Test
    void unknownIdsForMostOfTheLastRecordsAreAnInfrastructureFault() {
        byte[] good = good();
        byte[] unknown = withId(good, 0);
        for (int i = 0; i < 20; i++) {
            deserializer.deserialize(TOPIC, good);
        }
        // 10 unknown of the last 20 is half, not most: still bad data.
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> deserializer.deserialize(TOPIC, unknown)).isInstanceOf(SchemaNotFoundException.class);
        }
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, unknown))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("11 of the last 20 records");
        // Good records again: once they are most of the window, an unknown id is isolated again.
        for (int i = 0; i < 20; i++) {
            deserializer.deserialize(TOPIC, good);
        }
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, unknown)).isInstanceOf(SchemaNotFoundException.class);
    }

    @Test
    void theWindowNeedsAFewSamplesBeforeItJudges() {
        var window = new UnknownIdWindow(20, 4);
        assertThat(window.unknown().mostly()).isFalse();
        assertThat(window.unknown().mostly()).isFalse();
        assertThat(window.unknown().mostly()).isFalse();
        assertThat(window.unknown().mostly()).isTrue();
    }

    // --- a writer schema this reader cannot read ---

    /** Same full name as the reader, but with a field the reader lacks and without the reader's required ones. */
    private static final Schema NEWER = SchemaBuilder.record("CommandEnvelope").namespace("io.eventflow.schemas")
            .fields().requiredString("commandId").requiredLong("tenantNumber").endRecord();

    private static byte[] generic(int id, Schema schema) throws IOException {
        GenericRecord r = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            r.put(f.name(), f.schema().getType() == Schema.Type.STRING ? "c-1" : 7L);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(r, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    @Test
    void aSchemaRegisteredForTheTopicThatThisReaderCannotReadIsVersionSkew() throws IOException {
        good();
        int id = registry.register(SUBJECT, NEWER);
        byte[] bytes = generic(id, NEWER);
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("version skew").hasMessageContaining(SUBJECT).hasMessageContaining("schema id " + id);
    }

    @Test
    void aRecordOfAnotherSchemaOnTheWrongTopicIsBadData() throws IOException {
        good();
        Schema other = SchemaBuilder.record("Invoice").namespace("com.example")
                .fields().requiredString("commandId").requiredLong("total").endRecord();
        int id = registry.register("invoices-value", other);
        byte[] bytes = generic(id, other);
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class).isNotInstanceOf(RetriableException.class)
                .hasMessageContaining("com.example.Invoice").hasMessageContaining("not registered under subject " + SUBJECT);
    }
}
