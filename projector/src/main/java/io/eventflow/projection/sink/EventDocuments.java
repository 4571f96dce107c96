package io.eventflow.projection.sink;

import io.eventflow.eventstore.EventDigest;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.Position;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Avro event envelope to event-store document (the payload's fields become {@code eventData}), and
 * a stored payment event back to its envelope. Pure functions; thread-safe.
 */
public final class EventDocuments {
    private EventDocuments() {
    }

    /** @param at the event's place in the topic, or null when unknown */
    public static EventDocument of(EventEnvelope e, Position at) {
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
}
