package io.eventflow.eventstore;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One event as stored in the event-store index; {@code _id} is {@link #eventId()}.
 *
 * <p>{@code eventData} holds the event's payload fields by name (money in integer minor units);
 * {@code metadata} holds organizationId, userId and the free-form {@code extra} map. Immutable.
 * {@code causationId} may be null. {@code position} is the event's place in the events topic; it
 * is null for documents written by other means (imports, tests). {@code digest} is the event's
 * {@link EventDigest}; when null it is computed from the other fields (documents indexed before
 * digests were stored read back that way), so it is never null.
 *
 * <p>{@code schemaVersion} is the version of the shape {@code eventData} has: the
 * {@code "eventVersion"} property of the payload's record schema it was written from (1 when that
 * schema has none). Null for documents written before the field existed, which readers take as 1
 * (every event of that time had version-1 shapes). It is not part of the digest: it describes the
 * document, not the event.
 */
public record EventDocument(
        String eventId,
        String aggregateId,
        String aggregateType,
        String eventType,
        long version,
        Instant timestamp,
        String correlationId,
        String causationId,
        Map<String, Object> eventData,
        Map<String, Object> metadata,
        Position position,
        String digest,
        // Left out when null, so a document without it is the JSON it was before the field existed.
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer schemaVersion) {

    /** A document that does not say its shape version (read as 1). */
    public EventDocument(String eventId, String aggregateId, String aggregateType, String eventType, long version,
            Instant timestamp, String correlationId, String causationId, Map<String, Object> eventData,
            Map<String, Object> metadata, Position position, String digest) {
        this(eventId, aggregateId, aggregateType, eventType, version, timestamp, correlationId, causationId, eventData,
                metadata, position, digest, null);
    }

    /** A document whose digest is computed from its fields. */
    public EventDocument(String eventId, String aggregateId, String aggregateType, String eventType, long version,
            Instant timestamp, String correlationId, String causationId, Map<String, Object> eventData,
            Map<String, Object> metadata, Position position) {
        this(eventId, aggregateId, aggregateType, eventType, version, timestamp, correlationId, causationId, eventData,
                metadata, position, null, null);
    }

    /** A document with no topic position. */
    public EventDocument(String eventId, String aggregateId, String aggregateType, String eventType, long version,
            Instant timestamp, String correlationId, String causationId, Map<String, Object> eventData,
            Map<String, Object> metadata) {
        this(eventId, aggregateId, aggregateType, eventType, version, timestamp, correlationId, causationId, eventData,
                metadata, null, null, null);
    }

    public EventDocument {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(aggregateType, "aggregateType");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(timestamp, "timestamp");
        eventData = eventData == null ? Map.of() : eventData;
        metadata = metadata == null ? Map.of() : metadata;
        if (schemaVersion != null && schemaVersion < 1) {
            throw new IllegalArgumentException("schemaVersion must be at least 1, got " + schemaVersion);
        }
        if (digest == null) {
            digest = EventDigest.of(aggregateType, aggregateId, version, eventType, causationId, eventData);
        }
    }

    /**
     * The words of {@code eventData} for full-text search: its scalar values (strings, numbers,
     * booleans) in field order, depth first, separated by spaces; nulls left out. Written into the
     * document as {@code eventText}, the one indexed form of the payload: {@code eventData} itself
     * is kept but not indexed, so no aggregate type's field names or types enter the mapping (they
     * could conflict between types, and would grow it without bound).
     */
    @JsonProperty(value = "eventText", access = JsonProperty.Access.READ_ONLY)
    public String eventText() {
        StringBuilder out = new StringBuilder();
        appendText(out, eventData);
        return out.toString();
    }

    /** Appends {@code value}'s scalar leaves as {@link #eventText()} does. */
    public static void appendText(StringBuilder out, Object value) {
        if (value == null) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (Object v : map.values()) {
                appendText(out, v);
            }
        } else if (value instanceof Iterable<?> list) {
            for (Object v : list) {
                appendText(out, v);
            }
        } else {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            out.append(value);
        }
    }
}
