package io.eventflow.command.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the state store keeps per aggregate: its state (of the aggregate type's {@code S}), and the results of the commands it handled
 * recently, so a retried commandId is answered with the first result instead of being applied twice.
 * Both change in one store write, so they commit (and restore from the changelog) together.
 */
record AggregateRecord<S>(S state, List<ProcessedCommand> processed) {

    AggregateRecord {
        Objects.requireNonNull(state, "state");
        processed = processed == null ? List.of() : List.copyOf(processed);
    }

    static <S> AggregateRecord<S> of(S state) {
        return new AggregateRecord<>(state, List.of());
    }

    /** The remembered result of {@code commandId}, unless it was handled before {@code oldestKeptMillis}. */
    Optional<ProcessedCommand> find(String commandId, long oldestKeptMillis) {
        for (ProcessedCommand p : processed) {
            if (p.commandId().equals(commandId) && p.processedAt() >= oldestKeptMillis) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * The next record: the new state, plus {@code done}, keeping only the entries newer than
     * {@code oldestKeptMillis}, at most {@code maxCount} of them and at most {@code maxBytes} encoded
     * bytes in all (the newest win). Empty when the state and {@code done} alone do not fit in
     * {@code maxBytes}: such a command must be refused, since a store value that outgrows Kafka's
     * message size fails its changelog write and stops the partition for good.
     */
    Optional<AggregateRecord<S>> next(S nextState, ProcessedCommand done, long oldestKeptMillis, int maxCount,
            int maxBytes, AggregateRecordSerde<S> serde) {
        long bytes = serde.encodedSize(nextState) + (maxCount > 0 ? AggregateRecordSerde.encodedSize(done) : 0);
        if (bytes > maxBytes) {
            return Optional.empty();
        }
        List<ProcessedCommand> kept = new ArrayList<>();
        if (maxCount > 0) {
            kept.add(done);
        }
        // Newest first, then reversed: the oldest entries are the ones dropped.
        for (int i = processed.size() - 1; i >= 0 && kept.size() < maxCount; i--) {
            ProcessedCommand p = processed.get(i);
            if (p.processedAt() < oldestKeptMillis) {
                continue;
            }
            int size = AggregateRecordSerde.encodedSize(p);
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            kept.add(p);
        }
        Collections.reverse(kept);
        return Optional.of(new AggregateRecord<>(nextState, kept));
    }

    /**
     * A handled command and the result it got. Rejection fields are null when accepted; version is
     * null when rejected. {@code reason} is the rejection code (an aggregate type's own, e.g.
     * {@code PAYMENT_NOT_FOUND}, or a common one, e.g. {@code KEY_MISMATCH}). Times in epoch milliseconds.
     */
    record ProcessedCommand(String commandId, String correlationId, long processedAt, boolean accepted, Long version,
            String reason, String message, Long expectedVersion, Long actualVersion) {
    }
}
