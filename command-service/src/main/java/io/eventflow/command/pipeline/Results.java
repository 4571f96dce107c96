package io.eventflow.command.pipeline;

import io.eventflow.command.pipeline.AggregateRecord.ProcessedCommand;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.Rejection;
import io.eventflow.schemas.RejectionReason;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** Builds the Avro {@link CommandResult} of a handled command. Pure, thread-safe. */
final class Results {
    private static final Set<String> REASONS = Arrays.stream(RejectionReason.values()).map(Enum::name)
            .collect(Collectors.toUnmodifiableSet());

    /**
     * Ids echoed in a result are cut to this many characters. Only a command that breaks the id rules
     * (refused as INVALID_ENVELOPE) has longer ones, and echoing them whole could push a result (key
     * and value) past the producer's request size, which would stop the partition.
     */
    static final int MAX_ECHOED_ID_LENGTH = 1024;

    private Results() {
    }

    /**
     * The result of a handled command; the same {@code done} always gives the same result. A
     * rejection carries its code in {@code rejection.code}, and in {@code reason} the enum symbol of
     * the same name, or {@code AGGREGATE_RULE} for an aggregate type's code the enum does not have.
     *
     * @param aggregateType the envelope name of the topic's aggregate type, e.g. {@code Payment}
     */
    static CommandResult result(String aggregateType, String aggregateId, ProcessedCommand done) {
        var b = CommandResult.newBuilder()
                .setCommandId(echo(done.commandId())).setAggregateId(echo(aggregateId))
                .setCorrelationId(echo(done.correlationId()))
                .setAggregateType(aggregateType)
                .setTimestamp(Instant.ofEpochMilli(done.processedAt()));
        if (done.accepted()) {
            return b.setStatus(CommandStatus.ACCEPTED).setVersion(done.version()).setRejection(null).build();
        }
        return b.setStatus(CommandStatus.REJECTED).setVersion(null)
                .setRejection(Rejection.newBuilder()
                        .setReason(reason(done.reason()))
                        .setCode(done.reason())
                        .setMessage(done.message())
                        .setExpectedVersion(done.expectedVersion())
                        .setActualVersion(done.actualVersion())
                        .build())
                .build();
    }

    /** The enum symbol of a rejection code: the same name when there is one, else AGGREGATE_RULE. */
    static RejectionReason reason(String code) {
        if (code == null) {
            return RejectionReason.UNKNOWN;
        }
        return REASONS.contains(code) ? RejectionReason.valueOf(code) : RejectionReason.AGGREGATE_RULE;
    }

    /** An id as echoed in a result and used as its key: at most {@link #MAX_ECHOED_ID_LENGTH} characters. */
    static String echo(String id) {
        if (id == null) {
            return "";
        }
        return id.length() <= MAX_ECHOED_ID_LENGTH ? id : id.substring(0, MAX_ECHOED_ID_LENGTH);
    }
}
