package io.eventflow.aggregate;

import io.eventflow.schemas.Metadata;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Generic access to any aggregate type's envelopes. Every aggregate has its own envelope records
 * (their {@code payload} union lists only its own commands or events, so one type's topic never
 * carries another's records), and all of them share the standard fields read here by name.
 * Thread-safe.
 */
public final class Envelopes {
    static final List<String> COMMAND_FIELDS = List.of("commandId", "aggregateId", "aggregateType",
            "expectedVersion", "correlationId", "causationId", "timestamp", "metadata", "payload");
    static final List<String> EVENT_FIELDS = List.of("eventId", "aggregateId", "aggregateType", "eventType",
            "version", "timestamp", "correlationId", "causationId", "metadata", "payload");
    private static final Map<Class<?>, Schema> SCHEMAS = new ConcurrentHashMap<>();

    private Envelopes() {
    }

    /** A command envelope's fields. {@code expectedVersion}, {@code causationId} and {@code metadata} may be null. */
    public record CommandView(String commandId, String aggregateId, String aggregateType, Long expectedVersion,
            String correlationId, String causationId, Instant timestamp, Metadata metadata, SpecificRecord payload) {

        /** The envelope's organization, or null. */
        public String organizationId() {
            return metadata == null ? null : metadata.getOrganizationId();
        }
    }

    /** An event envelope's fields. {@code causationId} may be null. */
    public record EventView(String eventId, String aggregateId, String aggregateType, String eventType, long version,
            Instant timestamp, String correlationId, String causationId, Metadata metadata, SpecificRecord payload) {
        public EventView {
            Objects.requireNonNull(eventId, "eventId");
            Objects.requireNonNull(aggregateId, "aggregateId");
            Objects.requireNonNull(payload, "payload");
        }
    }

    public static CommandView command(SpecificRecord envelope) {
        Schema s = envelope.getSchema();
        return new CommandView(string(envelope, s, "commandId"), string(envelope, s, "aggregateId"),
                string(envelope, s, "aggregateType"), (Long) get(envelope, s, "expectedVersion"),
                string(envelope, s, "correlationId"), string(envelope, s, "causationId"),
                (Instant) get(envelope, s, "timestamp"), (Metadata) get(envelope, s, "metadata"),
                (SpecificRecord) get(envelope, s, "payload"));
    }

    public static EventView event(SpecificRecord envelope) {
        Schema s = envelope.getSchema();
        return new EventView(string(envelope, s, "eventId"), string(envelope, s, "aggregateId"),
                string(envelope, s, "aggregateType"), string(envelope, s, "eventType"),
                (Long) get(envelope, s, "version"), (Instant) get(envelope, s, "timestamp"),
                string(envelope, s, "correlationId"), string(envelope, s, "causationId"),
                (Metadata) get(envelope, s, "metadata"), (SpecificRecord) get(envelope, s, "payload"));
    }

    /** A new event envelope of class {@code type} holding {@code e}. */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> T newEvent(Class<T> type, EventView e) {
        Schema s = schema(type);
        T r = (T) SpecificData.get().newRecord(null, s);
        put(r, s, "eventId", e.eventId());
        put(r, s, "aggregateId", e.aggregateId());
        put(r, s, "aggregateType", e.aggregateType());
        put(r, s, "eventType", e.eventType());
        put(r, s, "version", e.version());
        put(r, s, "timestamp", e.timestamp());
        put(r, s, "correlationId", e.correlationId());
        put(r, s, "causationId", e.causationId());
        put(r, s, "metadata", e.metadata());
        put(r, s, "payload", e.payload());
        return r;
    }

    /** The event type name of a payload record: its Avro name without namespace. */
    public static String eventType(SpecificRecord payload) {
        return payload.getSchema().getName();
    }

    /** The union of payload records an envelope class accepts. */
    public static List<Schema> payloadTypes(Class<? extends SpecificRecord> envelope) {
        Schema payload = schema(envelope).getField("payload").schema();
        return payload.getType() == Schema.Type.UNION ? payload.getTypes() : List.of(payload);
    }

    /** The Avro schema of a generated record class (its {@code SCHEMA$}). */
    public static Schema schema(Class<? extends SpecificRecord> type) {
        return SCHEMAS.computeIfAbsent(type, t -> {
            Schema s = SpecificData.get().getSchema(t);
            if (s == null || s.getType() != Schema.Type.RECORD) {
                throw new IllegalArgumentException(t.getName() + " is not an Avro record class");
            }
            return s;
        });
    }

    static void checkCommandEnvelope(Class<? extends SpecificRecord> type) {
        check(type, COMMAND_FIELDS);
    }

    static void checkEventEnvelope(Class<? extends SpecificRecord> type) {
        check(type, EVENT_FIELDS);
    }

    private static void check(Class<? extends SpecificRecord> type, List<String> fields) {
        Schema s = schema(type);
        for (String f : fields) {
            if (s.getField(f) == null) {
                throw new IllegalArgumentException("envelope " + type.getName() + " has no field '" + f
                        + "'; an aggregate's envelopes have the fields " + fields);
            }
        }
        for (Schema branch : payloadTypes(type)) {
            if (branch.getType() != Schema.Type.RECORD) {
                throw new IllegalArgumentException("envelope " + type.getName() + " has a payload that is not a record: "
                        + branch);
            }
        }
    }

    private static Object get(SpecificRecord r, Schema s, String field) {
        return r.get(s.getField(field).pos());
    }

    private static String string(SpecificRecord r, Schema s, String field) {
        Object v = get(r, s, field);
        return v == null ? null : v.toString();
    }

    private static void put(SpecificRecord r, Schema s, String field, Object value) {
        r.put(s.getField(field).pos(), value);
    }
}
