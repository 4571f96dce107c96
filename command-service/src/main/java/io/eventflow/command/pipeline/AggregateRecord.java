package io.eventflow.command.pipeline;

import io.eventflow.command.payment.PaymentState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the state store keeps per aggregate: its state, and the results of the commands it handled
 * recently, so a retried commandId is answered with the first result instead of being applied twice.
 * Both change in one store write, so they commit (and restore from the changelog) together.
 */
record AggregateRecord(PaymentState state, List<ProcessedCommand> processed) {

    AggregateRecord {
        Objects.requireNonNull(state, "state");
        processed = processed == null ? List.of() : List.copyOf(processed);
    }

    static AggregateRecord of(PaymentState state) {
        return new AggregateRecord(state, List.of());
    }

    Optional<ProcessedCommand> find(String commandId) {
        for (ProcessedCommand p : processed) {
            if (p.commandId().equals(commandId)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * The next record: the new state, plus {@code done}, keeping only the entries newer than
     * {@code oldestKeptMillis} and at most {@code max} of them (the newest).
     */
    AggregateRecord next(PaymentState nextState, ProcessedCommand done, long oldestKeptMillis, int max) {
        List<ProcessedCommand> kept = new ArrayList<>(Math.min(processed.size() + 1, max));
        int skip = Math.max(0, processed.size() + 1 - max);
        for (int i = skip; i < processed.size(); i++) {
            if (processed.get(i).processedAt() >= oldestKeptMillis) {
                kept.add(processed.get(i));
            }
        }
        if (max > 0) {
            kept.add(done);
        }
        return new AggregateRecord(nextState, kept);
    }

    /**
     * A handled command and the result it got. Rejection fields are null when accepted; version is
     * null when rejected. Times in epoch milliseconds.
     */
    record ProcessedCommand(String commandId, String correlationId, long processedAt, boolean accepted, Long version,
            String reason, String message, Long expectedVersion, Long actualVersion) {
    }
}
