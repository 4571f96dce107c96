package io.eventflow.aggregate;

import java.util.Map;

/**
 * Turns an event's data written in an older shape into the current shape, for events read back
 * from the event store (the command side's hydration, the API's {@code asOf}). Pure. Events read
 * from Kafka are resolved by Avro itself (writer to reader schema, with defaults and aliases); an
 * upcaster handles what Avro's resolution cannot, e.g. a unit that changed.
 *
 * <p>{@code schemaVersion} is the version of the event record's shape it was written from: the
 * {@code "eventVersion"} property of the writer's record schema, 1 when absent.
 */
@FunctionalInterface
public interface Upcaster {
    Upcaster NONE = (eventType, schemaVersion, data) -> data;

    /** @return the data in the current shape; {@code data} itself when nothing changes */
    Map<String, Object> upcast(String eventType, int schemaVersion, Map<String, Object> data);
}
