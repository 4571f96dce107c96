package io.eventflow.eventstore;

/**
 * Where a document's event sits in the events topic: its partition and offset. Event-store
 * documents carry their own event's position; read-model documents carry the position of the last
 * event folded into them. Rebuild verification compares indices "as of" a set of offsets with it.
 *
 * @param partition the events topic partition, at least 0
 * @param offset the record's offset in that partition, at least 0
 */
public record Position(int partition, long offset) {
    public Position {
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("negative position " + partition + "@" + offset);
        }
    }
}
