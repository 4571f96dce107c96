package io.eventflow.aggregate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * An event payload between its Avro record and the event store's {@code eventData} (field name to
 * JSON value; instants as ISO-8601 strings, money as integer minor units). Reading back follows
 * Avro's own resolution rules against the current record schema: a field the document lacks takes
 * its default, a renamed field is found under its aliases, so documents written from older shapes
 * stay readable. Thread-safe.
 */
public final class EventData {
    private EventData() {
    }

    /** The payload's fields by name, as the event store keeps them. */
    public static Map<String, Object> toMap(GenericRecord payload) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Schema.Field f : payload.getSchema().getFields()) {
            out.put(f.name(), plain(payload.get(f.pos())));
        }
        return out;
    }

    /**
     * Builds the current payload record of type {@code eventType} from stored data.
     *
     * @param envelope the aggregate's event envelope class, whose payload union names the event types
     * @throws IllegalArgumentException when the envelope has no such event type, or a field without
     *     a default is missing or has a value of the wrong type
     */
    public static SpecificRecord toAvro(Class<? extends SpecificRecord> envelope, String eventType,
            Map<String, Object> data) {
        for (Schema branch : Envelopes.payloadTypes(envelope)) {
            if (branch.getName().equals(eventType)) {
                return (SpecificRecord) record(branch, data);
            }
        }
        throw new IllegalArgumentException("unknown event type " + eventType + " for envelope " + envelope.getName());
    }

    /**
     * The version of the payload record's shape, from the record schema's {@code eventVersion}
     * property; 1 when absent. Bump it (with an {@link Upcaster} case) when a change needs more than
     * Avro's resolution.
     */
    public static int shapeVersion(Schema record) {
        Object v = record.getObjectProp("eventVersion");
        return v instanceof Number n ? n.intValue() : 1;
    }

    private static Object record(Schema schema, Map<String, Object> data) {
        GenericRecord r = (GenericRecord) SpecificData.get().newRecord(null, schema);
        for (Schema.Field f : schema.getFields()) {
            Object raw = lookup(f, data);
            Object value;
            if (raw == MISSING) {
                if (!f.hasDefaultValue()) {
                    throw new IllegalArgumentException(schema.getName() + "." + f.name() + " is missing and has no default");
                }
                value = SpecificData.get().getDefaultValue(f);
            } else {
                value = convert(f.schema(), raw, schema.getName() + "." + f.name());
            }
            r.put(f.pos(), value);
        }
        return r;
    }

    private static final Object MISSING = new Object();

    private static Object lookup(Schema.Field f, Map<String, Object> data) {
        if (data.containsKey(f.name())) {
            return data.get(f.name());
        }
        for (String alias : f.aliases()) {
            if (data.containsKey(alias)) {
                return data.get(alias);
            }
        }
        return MISSING;
    }

    @SuppressWarnings("unchecked")
    private static Object convert(Schema s, Object v, String where) {
        try {
            switch (s.getType()) {
                case NULL:
                    return null;
                case UNION: {
                    if (v == null) {
                        if (s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL)) {
                            return null;
                        }
                        throw new IllegalArgumentException(where + " is null but not nullable");
                    }
                    IllegalArgumentException last = null;
                    for (Schema branch : s.getTypes()) {
                        if (branch.getType() == Schema.Type.NULL) {
                            continue;
                        }
                        try {
                            return convert(branch, v, where);
                        } catch (IllegalArgumentException e) {
                            last = e;
                        }
                    }
                    throw last != null ? last : new IllegalArgumentException(where + ": no branch for " + v);
                }
                case STRING:
                    if (v instanceof CharSequence || v instanceof Number || v instanceof Boolean) {
                        return v.toString();
                    }
                    break;
                case LONG: {
                    LogicalType lt = s.getLogicalType();
                    if (lt instanceof LogicalTypes.TimestampMillis || lt instanceof LogicalTypes.TimestampMicros) {
                        return v instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : Instant.parse(v.toString());
                    }
                    if (v instanceof Number n && n.doubleValue() == n.longValue()) {
                        return n.longValue();
                    }
                    break;
                }
                case INT:
                    if (v instanceof Number n && n.doubleValue() == n.intValue()) {
                        return n.intValue();
                    }
                    break;
                case DOUBLE:
                    if (v instanceof Number n) {
                        return n.doubleValue();
                    }
                    break;
                case FLOAT:
                    if (v instanceof Number n) {
                        return n.floatValue();
                    }
                    break;
                case BOOLEAN:
                    if (v instanceof Boolean) {
                        return v;
                    }
                    break;
                case ENUM:
                    if (v instanceof CharSequence cs) {
                        String symbol = cs.toString();
                        if (!s.hasEnumSymbol(symbol)) {
                            if (s.getEnumDefault() == null) {
                                break;
                            }
                            symbol = s.getEnumDefault();
                        }
                        return SpecificData.get().createEnum(symbol, s);
                    }
                    break;
                case RECORD:
                    if (v instanceof Map<?, ?> m) {
                        return record(s, (Map<String, Object>) m);
                    }
                    break;
                case MAP:
                    if (v instanceof Map<?, ?> m) {
                        Map<String, Object> out = new LinkedHashMap<>();
                        for (var e : m.entrySet()) {
                            out.put(e.getKey().toString(), convert(s.getValueType(), e.getValue(), where + "." + e.getKey()));
                        }
                        return out;
                    }
                    break;
                case ARRAY:
                    if (v instanceof List<?> l) {
                        List<Object> out = new ArrayList<>(l.size());
                        for (Object item : l) {
                            out.add(convert(s.getElementType(), item, where + "[]"));
                        }
                        return out;
                    }
                    break;
                default:
                    break;
            }
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            if (e instanceof AvroRuntimeException || e instanceof java.time.format.DateTimeParseException) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            throw e;
        }
        throw new IllegalArgumentException(where + " holds " + v + " (" + (v == null ? "null" : v.getClass().getSimpleName())
                + "), not a " + s.getType());
    }

    private static Object plain(Object v) {
        if (v == null || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v instanceof CharSequence || v instanceof Enum<?> || v instanceof Instant
                || v instanceof org.apache.avro.generic.GenericEnumSymbol<?>) {
            return v.toString();
        }
        if (v instanceof GenericRecord r) {
            return toMap(r);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, value) -> out.put(k.toString(), plain(value)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(EventData::plain).toList();
        }
        return v.toString();
    }
}
