package io.eventflow.eventstore;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.temporal.TemporalAccessor;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The one rule for an event's digest: what makes two event documents "the same event".
 *
 * <p>A SHA-256, as 64 lower-case hex characters, over a canonical JSON object of the event's
 * {@code aggregateType}, {@code aggregateId}, {@code version}, {@code eventType}, {@code causationId}
 * and payload ({@code eventData}): keys sorted, no whitespace, integral numbers written as integers
 * ({@code 5.0} as {@code 5}), other numbers in plain decimal notation, dates as ISO-8601 strings,
 * bytes as base64. Timestamp, correlation id, metadata and topic position are left out: a replay of
 * the same event may carry other ones.
 *
 * <p>The writer computes it from the event it is about to index and stores it in the document's
 * {@value #FIELD} field; a reader computes it from a stored document's {@code _source}
 * ({@link #ofSource}), which also covers documents written before the field existed. Both give the
 * same digest for the same event. Pure and thread-safe.
 */
public final class EventDigest {
    /** The event document field that holds the digest. */
    public static final String FIELD = "digest";

    private static final JsonFactory JSON = new JsonFactory();
    /** Never updated: only cloned. */
    private static final MessageDigest SHA256 = newSha256();
    private static final ObjectMapper MAPPER = ElasticsearchClients.objectMapper();

    private EventDigest() {
    }

    /**
     * @param causationId nullable
     * @param eventData the payload's fields by name, as plain values (maps, lists, strings,
     *     numbers, booleans, enums, dates, byte buffers, Jackson trees); null means none
     * @return 64 hex characters
     */
    public static String of(String aggregateType, String aggregateId, long version, String eventType,
            String causationId, Map<String, ?> eventData) {
        MessageDigest sha256 = sha256();
        try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha256);
                JsonGenerator g = JSON.createGenerator(out)) {
            // Keys in sorted order, as the canonical form requires.
            g.writeStartObject();
            g.writeFieldName("aggregateId");
            g.writeString(aggregateId);
            g.writeFieldName("aggregateType");
            g.writeString(aggregateType);
            g.writeFieldName("causationId");
            g.writeString(causationId);
            g.writeFieldName("eventData");
            value(g, eventData == null ? Map.of() : eventData);
            g.writeFieldName("eventType");
            g.writeString(eventType);
            g.writeFieldName("version");
            g.writeNumber(version);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /**
     * The digest of a stored event document: its {@value #FIELD} field when it has one, otherwise
     * computed from its fields (documents indexed before digests were stored).
     *
     * @param source the document's {@code _source} as a map; never null
     */
    public static String ofSource(Map<String, ?> source) {
        if (source.get(FIELD) instanceof String stored && !stored.isEmpty()) {
            return stored;
        }
        return computeFromSource(source);
    }

    /** As {@link #ofSource}, but always computed from the fields, ignoring a stored digest. */
    public static String computeFromSource(Map<String, ?> source) {
        Object data = source.get("eventData");
        @SuppressWarnings("unchecked")
        Map<String, ?> eventData = data instanceof Map<?, ?> m ? (Map<String, ?>) m : Map.of();
        return of(string(source.get("aggregateType")), string(source.get("aggregateId")),
                ((Number) source.get("version")).longValue(), string(source.get("eventType")),
                string(source.get("causationId")), eventData);
    }

    private static String string(Object v) {
        return v == null ? null : v.toString();
    }

    private static void value(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof CharSequence || v instanceof Enum<?> || v instanceof Character) {
            g.writeString(v.toString());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof BigInteger i) {
            g.writeNumber(i);
        } else if (v instanceof Number n) {
            number(g, n);
        } else if (v instanceof TemporalAccessor t) {
            g.writeString(t.toString());
        } else if (v instanceof Map<?, ?> map) {
            Map<String, ?> sorted = sorted(map);
            g.writeStartObject();
            for (var e : sorted.entrySet()) {
                g.writeFieldName(e.getKey());
                value(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Collection<?> list) {
            g.writeStartArray();
            for (Object o : list) {
                value(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof ByteBuffer buffer) {
            ByteBuffer b = buffer.duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            g.writeString(Base64.getEncoder().encodeToString(bytes));
        } else if (v instanceof byte[] bytes) {
            g.writeString(Base64.getEncoder().encodeToString(bytes));
        } else if (v instanceof JsonNode node) {
            node(g, node);
        } else {
            // Anything else is stored as the documents' mapper writes it; digest that form.
            node(g, MAPPER.valueToTree(v));
        }
    }

    /** The map with its keys as strings, in their natural order: the map itself when it already is. */
    @SuppressWarnings("unchecked")
    private static Map<String, ?> sorted(Map<?, ?> map) {
        if (map instanceof SortedMap<?, ?> s && s.comparator() == null
                && s.keySet().stream().allMatch(String.class::isInstance)) {
            return (Map<String, ?>) map;
        }
        Map<String, Object> sorted = new TreeMap<>();
        map.forEach((k, val) -> sorted.put(k.toString(), val));
        return sorted;
    }

    private static void node(JsonGenerator g, JsonNode node) throws IOException {
        if (node == null || node.isNull() || node.isMissingNode()) {
            g.writeNull();
        } else if (node.isObject()) {
            Map<String, Object> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                sorted.put(e.getKey(), e.getValue());
            }
            value(g, sorted);
        } else if (node.isArray()) {
            g.writeStartArray();
            for (JsonNode n : node) {
                node(g, n);
            }
            g.writeEndArray();
        } else if (node.isIntegralNumber()) {
            g.writeNumber(node.bigIntegerValue());
        } else if (node.isNumber()) {
            number(g, node.decimalValue());
        } else if (node.isBoolean()) {
            g.writeBoolean(node.booleanValue());
        } else if (node.isBinary()) {
            g.writeString(Base64.getEncoder().encodeToString(node.binaryValue()));
        } else {
            g.writeString(node.asText());
        }
    }

    private static void number(JsonGenerator g, Number n) throws IOException {
        if (n instanceof Double d && (d.isNaN() || d.isInfinite()) || n instanceof Float f && (f.isNaN() || f.isInfinite())) {
            g.writeString(n.toString());
            return;
        }
        // From the shortest decimal form, so that a float and the double it reads back as agree.
        BigDecimal d = (n instanceof BigDecimal b ? b : new BigDecimal(n.toString())).stripTrailingZeros();
        if (d.scale() <= 0) {
            g.writeNumber(d.toBigIntegerExact());
        } else {
            g.writeNumber(d.toPlainString());
        }
    }

    private static MessageDigest sha256() {
        // A clone of one instance rather than a provider lookup per event, on the projector's hot path.
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            return newSha256();
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
