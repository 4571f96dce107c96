package io.eventflow.projection.sink;

import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDigest;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.Position;
import io.eventflow.aggregate.EventData;
import io.eventflow.aggregate.Envelopes;
import io.eventflow.aggregate.Envelopes.EventView;
import org.apache.avro.specific.SpecificRecord;
import io.eventflow.schemas.Metadata;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * An event's event-store document: written as JSON bytes straight from the Avro envelope (what
 * bulk requests send), as an {@link EventDocument} read back from those bytes (for tools), its
 * {@link EventDigest}, and a stored document's position. One home for the document's
 * shape, so that what the projector indexes and what tools compare against cannot drift apart.
 * Pure functions; thread-safe.
 */
public final class EventDocuments {
    private static final ObjectMapper MAPPER = ElasticsearchClients.objectMapper();

    private EventDocuments() {
    }

    /**
     * The event-store document of {@code e}, read back from {@link #bytes(EventView, Position)}
     * so that the streaming writer is the one definition of a document's shape. Numbers in
     * {@code eventData} come back as the mapper reads them (Integer where they fit). Tools use this;
     * the bulk path sends the bytes.
     *
     * @param at the event's place in the topic, or null when unknown
     */
    public static EventDocument of(EventView e, Position at) {
        try {
            return MAPPER.readValue(bytes(e, at), EventDocument.class);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** As {@link #of(EventView, Position)}, for any aggregate type's event envelope. */
    public static EventDocument of(SpecificRecord envelope, Position at) {
        return of(Envelopes.event(envelope), at);
    }

    static String digest(SpecificRecord envelope) {
        return digest(Envelopes.event(envelope));
    }

    static byte[] bytes(SpecificRecord envelope, Position at) {
        return bytes(Envelopes.event(envelope), at);
    }

    /** The event's {@link EventDigest}, as its event-store document holds it. */
    static String digest(EventView e) {
        return EventDigest.of(e.aggregateType(), e.aggregateId(), e.version(), e.eventType(),
                // Sorted by field name, the order the digest writes: it takes a sorted map as it is.
                e.causationId(), fields((GenericRecord) e.payload(), new TreeMap<>()));
    }

    static Map<String, Object> toMap(GenericRecord record) {
        return fields(record, new LinkedHashMap<>());
    }

    /** The record's fields by name, as plain values, put into {@code out}. */
    private static Map<String, Object> fields(GenericRecord record, Map<String, Object> out) {
        for (Schema.Field f : record.getSchema().getFields()) {
            out.put(f.name(), plain(record.get(f.pos())));
        }
        return out;
    }

    /**
     * A read-model document as the projector writes it: {@code fields} (a state's
     * {@code ReadModel.toDocument}) and the {@code position} of the last event folded into it
     * (nullable: written as null). Returns a new map; {@code fields} is left alone.
     */
    public static Map<String, Object> readModel(Map<String, Object> fields, Position position) {
        Map<String, Object> doc = new LinkedHashMap<>(fields);
        if (position != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            if (position.topic() != null) {
                p.put("topic", position.topic());
            }
            p.put("partition", position.partition());
            p.put("offset", position.offset());
            doc.put("position", p);
        } else {
            doc.put("position", null);
        }
        return doc;
    }

    /** The document's topic position, or null when it has none. */
    static Position position(Map<String, ?> source) {
        if (source.get("position") instanceof Map<?, ?> p && p.get("partition") instanceof Number partition
                && p.get("offset") instanceof Number offset) {
            return new Position(p.get("topic") == null ? null : p.get("topic").toString(), partition.intValue(),
                    offset.longValue());
        }
        return null;
    }

    /** The value as the document holds it: records and maps as maps, strings and enums as strings. */
    static Object plain(Object v) {
        if (v instanceof GenericRecord r) {
            return toMap(r);
        }
        if (v instanceof CharSequence || v instanceof Enum<?>) {
            return v.toString();
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, val) -> out.put(k.toString(), plain(val)));
            return out;
        }
        if (v instanceof Instant i) {
            return i.toString();
        }
        return v;
    }


    // The streaming writer: the one definition of the document's JSON.

    /** @param digest the event's {@link #digest}, passed in because the caller needs it too */
    static BinaryData json(EventView e, Position at, String digest) {
        Buffer out = write(e, at, digest);
        // The buffer itself, not a copy of it: this is the bulk path, one document per event.
        return BinaryData.of(out.array(), 0, out.size(), ContentType.APPLICATION_JSON);
    }

    static byte[] bytes(EventView e, Position at) {
        return bytes(e, at, digest(e));
    }

    /**
     * The document as JSON bytes, written straight from the Avro record: no intermediate maps and no
     * reflective serialisation, which were most of the projector's CPU per event. Values of types
     * the writer does not know are handed to the mapper.
     */
    static byte[] bytes(EventView e, Position at, String digest) {
        return write(e, at, digest).toByteArray();
    }

    /** A document's bytes without the copy {@code toByteArray} makes. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            // An event document is about 700 bytes: starting at 1 KiB saves growing the array.
            super(1024);
        }

        byte[] array() {
            return buf;
        }
    }

    private static Buffer write(EventView e, Position at, String digest) {
        Buffer out = new Buffer();
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("eventId", e.eventId());
            g.writeStringField("aggregateId", e.aggregateId());
            g.writeStringField("aggregateType", e.aggregateType());
            g.writeStringField("eventType", e.eventType());
            g.writeNumberField("version", e.version());
            g.writeStringField("timestamp", e.timestamp().toString());
            g.writeStringField("correlationId", e.correlationId());
            g.writeStringField("causationId", e.causationId());
            g.writeStringField(EventDigest.FIELD, digest);
            g.writeNumberField("schemaVersion", EventData.shapeVersion(e.payload().getSchema()));
            g.writeFieldName("eventData");
            record(g, (GenericRecord) e.payload());
            StringBuilder text = new StringBuilder(64);
            appendText(text, e.payload());
            g.writeStringField("eventText", text.toString());
            g.writeObjectFieldStart("metadata");
            Metadata m = e.metadata();
            if (m != null) {
                g.writeStringField("organizationId", m.getOrganizationId());
                g.writeStringField("userId", m.getUserId());
                g.writeFieldName("extra");
                value(g, m.getExtra() == null ? Map.of() : m.getExtra());
            }
            g.writeEndObject();
            if (at == null) {
                g.writeNullField("position");
            } else {
                g.writeObjectFieldStart("position");
                if (at.topic() != null) {
                    g.writeStringField("topic", at.topic());
                }
                g.writeNumberField("partition", at.partition());
                g.writeNumberField("offset", at.offset());
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out;
    }

    /** {@link EventDocument#eventText()}, from the Avro record instead of the map: the same words. */
    private static void appendText(StringBuilder out, Object v) {
        if (v instanceof GenericRecord r) {
            for (Schema.Field f : r.getSchema().getFields()) {
                appendText(out, r.get(f.pos()));
            }
        } else {
            EventDocument.appendText(out, plain(v));
        }
    }

    private static void record(JsonGenerator g, GenericRecord r) throws IOException {
        g.writeStartObject();
        for (Schema.Field f : r.getSchema().getFields()) {
            g.writeFieldName(f.name());
            value(g, r.get(f.pos()));
        }
        g.writeEndObject();
    }

    private static void value(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof CharSequence || v instanceof Enum<?>) {
            g.writeString(v.toString());
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Instant t) {
            g.writeString(t.toString());
        } else if (v instanceof GenericRecord r) {
            record(g, r);
        } else if (v instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (var entry : map.entrySet()) {
                g.writeFieldName(entry.getKey().toString());
                value(g, entry.getValue());
            }
            g.writeEndObject();
        } else {
            MAPPER.writeValue(g, plain(v));
        }
    }
}
