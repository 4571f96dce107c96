package io.eventflow.command.bus;

import java.util.Objects;

/**
 * A command as the bus sees it: the domain payload plus the envelope fields that middleware needs.
 * {@code causationId}, {@code organizationId} (the tenant named in the envelope's metadata) and
 * {@code expectedVersion} may be null; the other fields never are.
 *
 * @param <C> the domain command type
 */
public record CommandMessage<C>(String commandId, String aggregateId, String correlationId, String causationId,
        String organizationId, Long expectedVersion, C payload) {

    public CommandMessage {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(payload, "payload");
    }
}
