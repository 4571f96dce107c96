package io.eventflow.eventstore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.MDC;

/**
 * The MDC fields every service puts on the log lines about one Kafka record, and their names: the one
 * place they are spelled. Open one where a record is handled and close it when done, in a
 * try-with-resources on the same thread:
 *
 * <pre>{@code
 * try (var ignored = LogContext.record(r.topic(), r.partition(), r.offset()).eventId(id)) {
 *     log.warn("dead-lettered ...");
 * }
 * }</pre>
 *
 * Closing puts back what the keys held before (nothing, normally), so contexts nest. The MDC is the one
 * thread-local the project accepts: a context never outlives its block. Not thread-safe: one thread.
 */
public final class LogContext implements AutoCloseable {
    /** The record's topic. */
    public static final String TOPIC = "topic";
    /** The record's partition. */
    public static final String PARTITION = "partition";
    /** The record's offset. */
    public static final String OFFSET = "offset";
    /** The event's id (projector). */
    public static final String EVENT_ID = "eventId";
    /** The command's id (command-service). */
    public static final String COMMAND_ID = "commandId";

    /** Each key this context set, with the value it held before (null: none). */
    private final Map<String, String> previous = new LinkedHashMap<>();

    private LogContext() {
    }

    /** Puts the record's topic, partition and offset. */
    public static LogContext record(String topic, int partition, long offset) {
        return new LogContext().put(TOPIC, Objects.requireNonNull(topic, "topic"))
                .put(PARTITION, String.valueOf(partition)).put(OFFSET, String.valueOf(offset));
    }

    /** Adds the event's id; a null id adds nothing. */
    public LogContext eventId(String eventId) {
        return eventId == null ? this : put(EVENT_ID, eventId);
    }

    /** Adds the command's id; a null id adds nothing. */
    public LogContext commandId(String commandId) {
        return commandId == null ? this : put(COMMAND_ID, commandId);
    }

    private LogContext put(String key, String value) {
        previous.putIfAbsent(key, MDC.get(key));
        MDC.put(key, value);
        return this;
    }

    @Override
    public void close() {
        previous.forEach((key, before) -> {
            if (before == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, before);
            }
        });
        previous.clear();
    }
}
