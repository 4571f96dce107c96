package io.eventflow.eventstore;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where a document's event sits in its events topic: the topic, its partition and offset.
 * Event-store documents carry their own event's position; read-model documents carry the position
 * of the last event folded into them. Rebuild verification compares indices "as of" a set of
 * offsets with it.
 *
 * @param topic the events topic; null in documents written before positions named their topic
 *     (those are on the topic of their aggregate type)
 * @param partition the events topic partition, at least 0
 * @param offset the record's offset in that partition, at least 0
 */
public record Position(@JsonInclude(JsonInclude.Include.NON_NULL) String topic, int partition, long offset) {
    public Position {
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("negative position " + partition + "@" + offset);
        }
    }

    /** A position that does not name its topic. */
    public Position(int partition, long offset) {
        this(null, partition, offset);
    }
}
