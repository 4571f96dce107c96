package io.eventflow.schemas.serde;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * Headers added to a dead-lettered record, which otherwise keeps its original key, value and
 * headers byte for byte so it can be inspected and replayed.
 */
public final class DeadLetterHeaders {
    public static final String REASON = "dlq.reason";
    public static final String EXCEPTION_CLASS = "dlq.exception.class";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";

    private DeadLetterHeaders() {
    }

    /** Adds the reason and the source coordinates to {@code headers}. */
    public static Headers add(Headers headers, Throwable error, String topic, int partition, long offset) {
        String reason = error.getMessage() == null ? error.toString() : error.getMessage();
        return headers
                .add(REASON, utf8(reason))
                .add(EXCEPTION_CLASS, utf8(error.getClass().getName()))
                .add(SOURCE_TOPIC, utf8(topic))
                .add(SOURCE_PARTITION, utf8(Integer.toString(partition)))
                .add(SOURCE_OFFSET, utf8(Long.toString(offset)));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
