package io.eventflow.projection.sink;

import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDigest;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.Position;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;

/**
 * An event's event-store document: written as JSON bytes straight from the Avro envelope (what
 * bulk requests send), as an {@link EventDocument} read back from those bytes (for tools), its
 * {@link EventDigest}, and a stored payment event back to its envelope. One home for the document's
 * shape, so that what the projector indexes and what tools compare against cannot drift apart.
 * Pure functions; thread-safe.
 */
public final class EventDocuments {
    private static final ObjectMapper MAPPER = ElasticsearchClients.objectMapper();

    private EventDocuments() {
    }

    /**
     * The event-store document of {@code e}, read back from {@link #bytes(EventEnvelope, Position)}
     * so that the streaming writer is the one definition of a document's shape. Numbers in
     * {@code eventData} come back as the mapper reads them (Integer where they fit). Tools use this;
     * the bulk path sends the bytes.
     *
     * @param at the event's place in the topic, or null when unknown
     */
    public static EventDocument of(EventEnvelope e, Position at) {
        try {
            return MAPPER.readValue(bytes(e, at), EventDocument.class);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The event's {@link EventDigest}, as its event-store document holds it. */
    static String digest(EventEnvelope e) {
        return EventDigest.of(e.getAggregateType(), e.getAggregateId(), e.getVersion(), e.getEventType(),
                e.getCausationId(), toMap((GenericRecord) e.getPayload()));
    }

    static Map<String, Object> toMap(GenericRecord record) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Schema.Field f : record.getSchema().getFields()) {
            out.put(f.name(), plain(record.get(f.pos())));
        }
        return out;
    }

    private static final Map<String, Schema> PAYLOADS = Map.of(
            "PaymentProcessed", PaymentProcessed.getClassSchema(),
            "PaymentFailed", PaymentFailed.getClassSchema(),
            "PaymentRefunded", PaymentRefunded.getClassSchema());

    /**
     * An event-store document's {@code _source} back as the event it was written from, so that the
     * read model can fold events it reads from the event store. Only payment events are known.
     *
     * @throws IllegalArgumentException when the document is not a payment event this code can read
     */
    static EventEnvelope envelope(Map<String, ?> source) {
        String type = String.valueOf(source.get("eventType"));
        Schema schema = PAYLOADS.get(type);
        if (schema == null) {
            throw new IllegalArgumentException("cannot fold an event of type " + type);
        }
        GenericRecord payload = (GenericRecord) SpecificData.get().newRecord(null, schema);
        Map<?, ?> data = source.get("eventData") instanceof Map<?, ?> m ? m : Map.of();
        for (Schema.Field f : schema.getFields()) {
            payload.put(f.pos(), avro(data.get(f.name()), f.schema()));
        }
        Map<?, ?> meta = source.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
        Map<String, String> extra = new LinkedHashMap<>();
        if (meta.get("extra") instanceof Map<?, ?> x) {
            x.forEach((k, v) -> extra.put(String.valueOf(k), v == null ? null : v.toString()));
        }
        return EventEnvelope.newBuilder()
                .setEventId(String.valueOf(source.get("eventId")))
                .setAggregateId(String.valueOf(source.get("aggregateId")))
                .setAggregateType(String.valueOf(source.get("aggregateType")))
                .setEventType(type)
                .setVersion(((Number) source.get("version")).longValue())
                .setTimestamp(Instant.parse(String.valueOf(source.get("timestamp"))))
                .setCorrelationId(source.get("correlationId") == null ? "" : source.get("correlationId").toString())
                .setCausationId(source.get("causationId") == null ? null : source.get("causationId").toString())
                .setMetadata(Metadata.newBuilder()
                        .setOrganizationId(meta.get("organizationId") == null ? null : meta.get("organizationId").toString())
                        .setUserId(meta.get("userId") == null ? null : meta.get("userId").toString())
                        .setExtra(extra).build())
                .setPayload(payload)
                .build();
    }

    /** The document's topic position, or null when it has none. */
    static Position position(Map<String, ?> source) {
        if (source.get("position") instanceof Map<?, ?> p && p.get("partition") instanceof Number partition
                && p.get("offset") instanceof Number offset) {
            return new Position(partition.intValue(), offset.longValue());
        }
        return null;
    }

    private static Object avro(Object v, Schema schema) {
        return switch (schema.getType()) {
            case NULL -> null;
            case STRING -> v == null ? null : v.toString();
            case LONG -> v == null ? null : ((Number) v).longValue();
            case INT -> v == null ? null : ((Number) v).intValue();
            case DOUBLE -> v == null ? null : ((Number) v).doubleValue();
            case FLOAT -> v == null ? null : ((Number) v).floatValue();
            case BOOLEAN -> v;
            case ENUM -> v == null ? null : SpecificData.get().createEnum(v.toString(), schema);
            case UNION -> {
                if (v == null) {
                    yield null;
                }
                Schema branch = schema.getTypes().stream().filter(b -> b.getType() != Schema.Type.NULL).findFirst()
                        .orElseThrow();
                yield avro(v, branch);
            }
            default -> throw new IllegalArgumentException("cannot read a stored " + schema.getType() + " value");
        };
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
    static BinaryData json(EventEnvelope e, Position at, String digest) {
        return BinaryData.of(bytes(e, at, digest), ContentType.APPLICATION_JSON);
    }

    static byte[] bytes(EventEnvelope e, Position at) {
        return bytes(e, at, digest(e));
    }

    /**
     * The document as JSON bytes, written straight from the Avro record: no intermediate maps and no
     * reflective serialisation, which were most of the projector's CPU per event. Values of types
     * the writer does not know are handed to the mapper.
     */
    static byte[] bytes(EventEnvelope e, Position at, String digest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("eventId", e.getEventId());
            g.writeStringField("aggregateId", e.getAggregateId());
            g.writeStringField("aggregateType", e.getAggregateType());
            g.writeStringField("eventType", e.getEventType());
            g.writeNumberField("version", e.getVersion());
            g.writeStringField("timestamp", e.getTimestamp().toString());
            g.writeStringField("correlationId", e.getCorrelationId());
            g.writeStringField("causationId", e.getCausationId());
            g.writeStringField(EventDigest.FIELD, digest);
            g.writeFieldName("eventData");
            record(g, (GenericRecord) e.getPayload());
            g.writeObjectFieldStart("metadata");
            Metadata m = e.getMetadata();
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
                g.writeNumberField("partition", at.partition());
                g.writeNumberField("offset", at.offset());
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
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
