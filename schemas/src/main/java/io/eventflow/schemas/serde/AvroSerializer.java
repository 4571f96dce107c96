package io.eventflow.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro specific records in the Confluent wire format: magic byte 0, the 4-byte big-endian
 * schema id, then Avro binary. Subjects follow the TopicNameStrategy.
 *
 * <p>Thread-safe once configured. Null records serialize to null (tombstones).
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    static final byte MAGIC_BYTE = 0;

    private final Map<org.apache.avro.Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();
    /** Per topic, the last schema written and its id: the hot path is one map lookup and an identity check. */
    private final Map<String, SchemaId> idsByTopic = new ConcurrentHashMap<>();

    private record SchemaId(org.apache.avro.Schema schema, int id) {
    }
    private SchemaRegistryClient registry;
    private boolean autoRegister = true;
    private boolean isKey;
    private boolean ownsRegistry;

    /** For Kafka's reflective construction; {@link #configure} must follow. */
    public AvroSerializer() {
    }

    public AvroSerializer(SchemaRegistryClient registry, boolean autoRegister) {
        this.registry = java.util.Objects.requireNonNull(registry, "registry");
        this.autoRegister = autoRegister;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (registry == null) {
            SerdeConfig config = new SerdeConfig(configs);
            this.registry = config.newClient();
            this.autoRegister = config.getBoolean(SerdeConfig.AUTO_REGISTER_SCHEMAS);
            this.ownsRegistry = true;
        }
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        org.apache.avro.Schema schema = record.getSchema();
        SchemaId known = idsByTopic.get(topic);
        int id;
        if (known != null && known.schema() == schema) {
            id = known.id();
        } else {
            String subject = SerdeConfig.subject(topic, isKey);
            id = autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema);
            idsByTopic.put(topic, new SchemaId(schema, id));
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(MAGIC_BYTE);
            out.write(id >>> 24);
            out.write(id >>> 16);
            out.write(id >>> 8);
            out.write(id);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writers.computeIfAbsent(schema, SpecificDatumWriter::new).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialize " + record.getSchema().getFullName()
                    + " for topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }
}
