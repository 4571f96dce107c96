package io.eventflow.schemas.serde;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Headers;

/**
 * Headers added to a dead-lettered record, which otherwise keeps its original key, value and
 * headers byte for byte so it can be inspected and replayed. Each value is capped at
 * {@link #MAX_VALUE_BYTES} UTF-8 bytes (cut on a character boundary), so the headers this adds
 * never take more than {@link #MAX_ADDED_BYTES}: a dead-letter topic with that much headroom over
 * its source topic takes every record of it ({@link KafkaTopics#ensureDeadLetter}).
 */
public final class DeadLetterHeaders {
    public static final String REASON = "dlq.reason";
    public static final String EXCEPTION_CLASS = "dlq.exception.class";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";

    /** The most UTF-8 bytes of one header value. */
    public static final int MAX_VALUE_BYTES = 2048;
    /** An upper bound of the bytes {@link #add} adds to a record: five keys and values, with framing. */
    public static final int MAX_ADDED_BYTES = 5 * (MAX_VALUE_BYTES + 64);

    private static final String ELLIPSIS = "...";

    private DeadLetterHeaders() {
    }

    /** Adds the reason and the source coordinates to {@code headers}. */
    public static Headers add(Headers headers, Throwable error, String topic, int partition, long offset) {
        String reason = error.getMessage() == null ? error.toString() : error.getMessage();
        return headers
                .add(REASON, capped(reason))
                .add(EXCEPTION_CLASS, capped(error.getClass().getName()))
                .add(SOURCE_TOPIC, capped(topic))
                .add(SOURCE_PARTITION, capped(Integer.toString(partition)))
                .add(SOURCE_OFFSET, capped(Long.toString(offset)));
    }

    /** {@code s} in UTF-8, cut to at most {@link #MAX_VALUE_BYTES} on a character boundary, "..." marking a cut. */
    static byte[] capped(String s) {
        byte[] all = s.getBytes(StandardCharsets.UTF_8);
        if (all.length <= MAX_VALUE_BYTES) {
            return all;
        }
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer out = ByteBuffer.allocate(MAX_VALUE_BYTES - ELLIPSIS.length());
        // Stops before a character (or surrogate pair) that no longer fits whole.
        encoder.encode(CharBuffer.wrap(s), out, true);
        byte[] cut = Arrays.copyOf(out.array(), out.position() + ELLIPSIS.length());
        System.arraycopy(ELLIPSIS.getBytes(StandardCharsets.US_ASCII), 0, cut, out.position(), ELLIPSIS.length());
        return cut;
    }
}
