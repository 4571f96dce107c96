package io.eventflow.projection.sink;

import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDigest;
import io.eventflow.eventstore.Position;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Writes an event's event-store document straight from the Avro record to JSON bytes, which the
 * bulk request sends as they are. It produces the same JSON as serialising
 * {@link EventDocuments#of} with the documents' mapper, without the intermediate maps and the
 * reflective record serialisation: that was most of the projector's CPU per event. Values of
 * other types are handed to the mapper. Thread-safe.
 */
final class EventJson {
    private static final ObjectMapper MAPPER = ElasticsearchClients.objectMapper();

    private EventJson() {
    }

    /** @param digest the event's {@link EventDocuments#digest}, passed in because the caller needs it too */
    static BinaryData of(EventEnvelope e, Position at, String digest) {
        return BinaryData.of(bytes(e, at, digest), ContentType.APPLICATION_JSON);
    }

    static byte[] bytes(EventEnvelope e, Position at) {
        return bytes(e, at, EventDocuments.digest(e));
    }

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
            MAPPER.writeValue(g, EventDocuments.plain(v));
        }
    }
}
