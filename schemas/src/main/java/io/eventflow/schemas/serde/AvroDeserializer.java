package io.eventflow.schemas.serde;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format into a specific record of type {@code T}, resolving the writer
 * schema (looked up by id, cached) against {@code T}'s schema.
 *
 * <p>Thread-safe. Errors: {@link SerializationException} for bytes that are not a valid record
 * (permanent), {@link SchemaRegistryException} for an unknown schema id (permanent), and
 * {@link SchemaRegistryUnavailableException} when the registry cannot answer (transient).
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final Class<T> type;
    private final Schema readerSchema;
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();
    private SchemaRegistryClient registry;
    private boolean ownsRegistry;

    public AvroDeserializer(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
        this.readerSchema = SpecificData.get().getSchema(type);
    }

    public AvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        this(type);
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (registry == null) {
            registry = new SerdeConfig(configs).newClient();
            ownsRegistry = true;
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < 5) {
            throw new SerializationException("record of " + data.length + " bytes is too short for the wire format");
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        byte magic = buffer.get();
        if (magic != AvroSerializer.MAGIC_BYTE) {
            throw new SerializationException("unknown magic byte " + magic + " (expected 0, the Confluent wire format)");
        }
        int id = buffer.getInt();
        SpecificDatumReader<T> reader = readers.computeIfAbsent(id,
                i -> new SpecificDatumReader<>(registry.byId(i), readerSchema));
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null);
            T value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerializationException("trailing bytes after a " + type.getSimpleName() + " with schema id " + id);
            }
            return value;
        } catch (SerializationException e) {
            throw e;
        } catch (java.io.IOException | RuntimeException e) {
            throw new SerializationException("cannot decode " + type.getSimpleName() + " with schema id " + id
                    + ": " + e, e);
        }
    }

    @Override
    public void close() {
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }
}
