package io.eventflow.projection;

import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.Position;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/** Avro event envelope to event-store document: the payload's fields become {@code eventData}. */
final class EventDocuments {
    private EventDocuments() {
    }

    /** @param at the event's place in the topic, or null when unknown */
    static EventDocument of(EventEnvelope e, Position at) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        Metadata m = e.getMetadata();
        if (m != null) {
            metadata.put("organizationId", m.getOrganizationId());
            metadata.put("userId", m.getUserId());
            metadata.put("extra", m.getExtra() == null ? Map.of() : new LinkedHashMap<>(m.getExtra()));
        }
        return new EventDocument(e.getEventId(), e.getAggregateId(), e.getAggregateType(), e.getEventType(),
                e.getVersion(), e.getTimestamp(), e.getCorrelationId(), e.getCausationId(),
                toMap((GenericRecord) e.getPayload()), metadata, at);
    }

    static Map<String, Object> toMap(GenericRecord record) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Schema.Field f : record.getSchema().getFields()) {
            out.put(f.name(), plain(record.get(f.pos())));
        }
        return out;
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
        if (v instanceof java.time.Instant i) {
            return i.toString();
        }
        return v;
    }
}
