package io.eventflow.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
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
 * <p>Thread-safe. Errors split bad data from infrastructure faults:
 * <ul>
 *   <li>{@link SerializationException} (bad data, permanent: dead-letter the record): not the
 *       wire format; bytes that do not decode with the writer schema their id names (truncated, a
 *       length past the record's end, trailing bytes); an isolated unknown schema id
 *       ({@link SchemaNotFoundException}); a writer schema that {@code T} cannot read and that is
 *       not registered under the topic's subject (a record of another schema on the wrong topic).
 *   <li>{@link SchemaRegistryUnavailableException} (infrastructure, retriable: never dead-letter):
 *       the registry cannot be reached or misbehaves; unknown ids for more than half of the last
 *       {@value #WINDOW} records, or for an id beyond the highest id the registry holds, or when
 *       that subject does not exist (a wrong or emptied registry); version skew, a writer schema
 *       registered under the topic's subject that {@code T} cannot read (a newer producer).
 * </ul>
 * A good record whose schema id was seen before costs one map lookup and one atomic increment.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    static final int WINDOW = 20;
    static final int WINDOW_MIN_SAMPLES = 4;

    private final Class<T> type;
    private final Schema readerSchema;
    /** Readers of the ids whose writer schema {@code T} can read; nothing else is cached. */
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();
    private final UnknownIdWindow window = new UnknownIdWindow(WINDOW, WINDOW_MIN_SAMPLES);
    private SchemaRegistryClient registry;
    private boolean ownsRegistry;
    private boolean isKey;

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
        this.isKey = isKey;
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
        SpecificDatumReader<T> reader = readers.get(id);
        if (reader == null) {
            reader = resolve(topic, id);
        } else {
            window.known();
        }
        try {
            BoundedDecoder decoder = new BoundedDecoder(
                    DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null));
            T value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerializationException("trailing bytes after a " + type.getSimpleName() + " with schema id " + id);
            }
            return value;
        } catch (SerializationException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot decode " + type.getSimpleName() + " with schema id " + id
                    + ": " + e, e);
        } catch (OutOfMemoryError e) {
            // Last resort: BoundedDecoder refuses oversized lengths before allocating; this is a bad record too.
            throw new SerializationException("decoding " + type.getSimpleName() + " with schema id " + id
                    + " (" + data.length + " bytes) ran out of memory: " + e.getMessage());
        }
    }

    /** The reader of a schema id not seen before; caches it only when {@code T} can read that schema. */
    private SpecificDatumReader<T> resolve(String topic, int id) {
        String subject = SerdeConfig.subject(topic, isKey);
        Schema writer;
        try {
            writer = registry.byId(id);
        } catch (SchemaNotFoundException e) {
            throw unknownId(subject, id, e);
        }
        var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
        if (compatibility.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            window.known();
            SpecificDatumReader<T> reader = new SpecificDatumReader<>(writer, readerSchema);
            SpecificDatumReader<T> previous = readers.putIfAbsent(id, reader);
            return previous != null ? previous : reader;
        }
        String why = compatibility.getResult().getIncompatibilities().stream().findFirst()
                .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage()).orElse("incompatible");
        OptionalInt registered = registry.find(subject, writer);
        if (registered.isPresent()) {
            throw new SchemaRegistryUnavailableException("version skew: schema id " + id + " (" + writer.getFullName()
                    + ") is registered under subject " + subject + " in schema registry " + registry.describe()
                    + ", but this reader's " + type.getName() + " cannot read it (" + why
                    + "); upgrade this service before it reads these records");
        }
        UnknownIdWindow.Share share = window.unknown();
        if (share.mostly()) {
            throw new SchemaRegistryUnavailableException("schema registry " + registry.describe() + ": " + share.unknown()
                    + " of the last " + share.samples() + " records named schemas unknown to subject " + subject
                    + " (now id " + id + ", " + writer.getFullName() + "): a wrong registry?");
        }
        throw new SerializationException("schema id " + id + " names " + writer.getFullName() + ", which is not registered"
                + " under subject " + subject + " and which " + type.getSimpleName() + " cannot read (" + why
                + "): a record of another schema on the wrong topic?");
    }

    /** A 40403: bad data only when isolated, the topic's subject exists, and the registry has reached the id. */
    private RuntimeException unknownId(String subject, int id, SchemaNotFoundException notFound) {
        UnknownIdWindow.Share share = window.unknown();
        String registryName = registry.describe();
        if (share.mostly()) {
            return new SchemaRegistryUnavailableException("schema registry " + registryName + " answered \"schema not found\""
                    + " (40403) for " + share.unknown() + " of the last " + share.samples() + " records (now schema id "
                    + id + "): a wrong or emptied registry?", notFound);
        }
        OptionalInt latest = registry.latestId(subject);
        if (latest.isEmpty()) {
            return new SchemaRegistryUnavailableException("schema registry " + registryName + " does not know schema id "
                    + id + " nor subject " + subject + ": a wrong or emptied registry?", notFound);
        }
        OptionalInt highest = registry.highestId();
        if (highest.isEmpty() || id > highest.getAsInt()) {
            return new SchemaRegistryUnavailableException("schema registry " + registryName + " does not know schema id "
                    + id + ", beyond the highest id it holds (" + (highest.isEmpty() ? "none" : highest.getAsInt())
                    + "): a wrong or emptied registry?", notFound);
        }
        return notFound;
    }

    @Override
    public void close() {
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }
}
