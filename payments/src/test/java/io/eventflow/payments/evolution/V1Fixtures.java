package io.eventflow.payments.evolution;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The version-1 payment contracts (the .avsc files as commit 671ebf5 added them, under
 * {@code src/test/resources/avro/v1}) and the binary event fixtures written from them.
 *
 * <p>The fixtures were written ONCE, from the v1 schemas parsed here (never from today's generated
 * classes), by running from the repository root:
 * <pre>
 *   mvn -B -ntp -o test -pl payments -am -Dtest=V1Fixtures -Deventflow.writeV1Fixtures=true \
 *       -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * and the resulting {@code avro/v1/events/*.bin} files were committed. Do not re-run it to "fix" a
 * failing evolution test: the bytes are the point. Each file is one plain Avro binary datum of the v1
 * {@code EventEnvelope} (no Confluent header).
 */
public final class V1Fixtures {
    /** The v1 files in the order they must be parsed (named types before their users). */
    private static final List<String> FILES = List.of("Metadata", "PaymentProcessed", "PaymentFailed",
            "PaymentRefunded", "EventEnvelope");

    /** The fixture files, in event order: two payments of the v1 era. */
    public static final List<String> EVENTS = List.of("pay-v1a-1-processed", "pay-v1a-2-refunded",
            "pay-v1a-3-refunded", "pay-v1b-1-processed", "pay-v1b-2-failed");

    /** The v1 {@code EventEnvelope} schema, parsed from the fixture .avsc files. */
    public static Schema eventEnvelope() {
        Schema.Parser parser = new Schema.Parser();
        Schema last = null;
        for (String f : FILES) {
            last = parser.parse(resource("/avro/v1/" + f + ".avsc"));
        }
        return last;
    }

    /** The raw text of a v1 .avsc file, e.g. {@code EventEnvelope}, for registering it. */
    public static String avsc(String name) {
        return new String(bytes("/avro/v1/" + name + ".avsc"), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The binary datum of one fixture event, written with {@link #eventEnvelope()}. */
    public static byte[] event(String name) {
        return bytes("/avro/v1/events/" + name + ".bin");
    }

    /**
     * The v1 {@code EventEnvelope} schema as one self-contained JSON text (named types inlined), as
     * a registry holds it.
     */
    public static String eventEnvelopeJson() {
        return eventEnvelope().toString();
    }

    @Test
    @EnabledIfSystemProperty(named = "eventflow.writeV1Fixtures", matches = "true")
    void write() throws IOException {
        Schema envelope = eventEnvelope();
        Schema metadata = envelope.getField("metadata").schema();
        Schema payloads = envelope.getField("payload").schema();
        List<GenericRecord> events = new ArrayList<>();
        events.add(envelope(envelope, metadata, "pay-v1a", 1, "PaymentProcessed",
                payload(payloads, "PaymentProcessed", Map.of("paymentId", "pay-v1a", "amount", 12_500L,
                        "currency", "EUR", "organizationId", "org-v1", "userId", "u-v1")),
                Map.of("channel", "web", "campaign", "spring")));
        events.add(envelope(envelope, metadata, "pay-v1a", 2, "PaymentRefunded",
                payload(payloads, "PaymentRefunded", Map.of("paymentId", "pay-v1a", "refundAmount", 2_500L)),
                Map.of()));
        events.add(envelope(envelope, metadata, "pay-v1a", 3, "PaymentRefunded",
                payload(payloads, "PaymentRefunded", Map.of("paymentId", "pay-v1a", "refundAmount", 10_000L)),
                Map.of("operator", "ops-7")));
        events.add(envelope(envelope, metadata, "pay-v1b", 1, "PaymentProcessed",
                payload(payloads, "PaymentProcessed", Map.of("paymentId", "pay-v1b", "amount", 990L,
                        "currency", "USD", "organizationId", "org-v1", "userId", "u-v2")),
                Map.of()));
        events.add(envelope(envelope, metadata, "pay-v1b", 2, "PaymentFailed",
                payload(payloads, "PaymentFailed", Map.of("paymentId", "pay-v1b", "error", "card declined")),
                Map.of("gateway", "acme")));
        Path dir = Path.of("src/test/resources/avro/v1/events");
        Files.createDirectories(dir);
        for (int i = 0; i < events.size(); i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(envelope).write(events.get(i), encoder);
            encoder.flush();
            Files.write(dir.resolve(EVENTS.get(i) + ".bin"), out.toByteArray());
        }
    }

    private static GenericRecord envelope(Schema envelope, Schema metadata, String id, long version, String type,
            GenericRecord payload, Map<String, String> extra) {
        GenericRecord m = new GenericData.Record(metadata);
        m.put("organizationId", "org-v1");
        m.put("userId", "u-v1");
        m.put("extra", extra);
        GenericRecord e = new GenericData.Record(envelope);
        e.put("eventId", "evt-" + id + "-" + version);
        e.put("aggregateId", id);
        e.put("aggregateType", "Payment");
        e.put("eventType", type);
        e.put("version", version);
        // 2026-01-01T00:00:00Z plus one minute per version: timestamp-millis is a plain long in v1 bytes.
        e.put("timestamp", 1_767_225_600_000L + version * 60_000L);
        e.put("correlationId", "corr-" + id);
        e.put("causationId", "cmd-" + id + "-" + version);
        e.put("metadata", m);
        e.put("payload", payload);
        return e;
    }

    private static GenericRecord payload(Schema union, String name, Map<String, Object> fields) {
        Schema s = union.getTypes().stream().filter(t -> t.getName().equals(name)).findFirst().orElseThrow();
        GenericRecord r = new GenericData.Record(s);
        fields.forEach(r::put);
        return r;
    }

    private static String resource(String name) {
        return new String(bytes(name), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String name) {
        try (InputStream in = V1Fixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
