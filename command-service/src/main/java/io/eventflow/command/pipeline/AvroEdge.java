package io.eventflow.command.pipeline;

import io.eventflow.command.payment.PaymentCommand;
import io.eventflow.command.payment.PaymentEvent;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.RejectionReason;
import io.eventflow.schemas.payment.FailPayment;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import io.eventflow.schemas.payment.ProcessPayment;
import io.eventflow.schemas.payment.RefundPayment;
import io.eventflow.eventstore.EventIds;
import java.time.Instant;
import java.util.Map;

/** Converts between the Avro contracts and the pure domain types. The only place that knows both. */
final class AvroEdge {
    static final String AGGREGATE_TYPE = "Payment";

    private AvroEdge() {
    }

    static PaymentCommand toDomain(CommandEnvelope envelope) {
        Object p = envelope.getPayload();
        if (p instanceof ProcessPayment c) {
            return new PaymentCommand.ProcessPayment(c.getPaymentId(), c.getAmount(), c.getCurrency(),
                    c.getOrganizationId(), c.getUserId());
        }
        if (p instanceof FailPayment c) {
            return new PaymentCommand.FailPayment(c.getPaymentId(), c.getError());
        }
        if (p instanceof RefundPayment c) {
            return new PaymentCommand.RefundPayment(c.getPaymentId(), c.getRefundAmount());
        }
        throw new IllegalArgumentException("unsupported command payload " + (p == null ? null : p.getClass().getName()));
    }

    /**
     * Ids echoed in a result are cut to this many characters. Only a command that breaks the id rules
     * (refused as INVALID_ENVELOPE) has longer ones, and echoing them whole could push a result (key
     * and value) past the producer's request size, which would stop the partition.
     */
    static final int MAX_ECHOED_ID_LENGTH = 1024;

    /** The event id rule lives in the event store's contract: (aggregate type, aggregate id, version). */
    static String eventId(String aggregateId, long version) {
        return EventIds.of(AGGREGATE_TYPE, aggregateId, version);
    }

    static EventEnvelope toAvro(CommandEnvelope command, PaymentEvent event, long version, Instant now) {
        return EventEnvelope.newBuilder()
                .setEventId(eventId(command.getAggregateId(), version))
                .setAggregateId(command.getAggregateId())
                .setAggregateType(AGGREGATE_TYPE)
                .setEventType(event.eventType())
                .setVersion(version)
                .setTimestamp(now)
                .setCorrelationId(command.getCorrelationId())
                .setCausationId(command.getCommandId())
                .setMetadata(command.getMetadata())
                .setPayload(payload(event))
                .build();
    }

    private static Object payload(PaymentEvent event) {
        if (event instanceof PaymentEvent.PaymentProcessed e) {
            return new PaymentProcessed(e.paymentId(), e.amount(), e.currency(), e.organizationId(), e.userId());
        }
        if (event instanceof PaymentEvent.PaymentFailed e) {
            return new PaymentFailed(e.paymentId(), e.error());
        }
        if (event instanceof PaymentEvent.PaymentRefunded e) {
            return new PaymentRefunded(e.paymentId(), e.refundAmount());
        }
        throw new IllegalArgumentException("unknown event " + event);
    }

    /** Reads an indexed event back into the domain, for hydrating state from the event store. */
    static PaymentEvent fromDocument(EventDocument doc) {
        Map<String, Object> d = doc.eventData();
        String id = doc.aggregateId();
        switch (doc.eventType()) {
            case "PaymentProcessed":
                return new PaymentEvent.PaymentProcessed(id, asLong(d.get("amount")), (String) d.get("currency"),
                        (String) d.get("organizationId"), (String) d.get("userId"));
            case "PaymentFailed":
                return new PaymentEvent.PaymentFailed(id, (String) d.get("error"));
            case "PaymentRefunded":
                return new PaymentEvent.PaymentRefunded(id, asLong(d.get("refundAmount")));
            default:
                throw new IllegalStateException("event store holds unknown event type " + doc.eventType()
                        + " for aggregate " + id + " (event " + doc.eventId() + ")");
        }
    }

    private static long asLong(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalStateException("expected a number, got " + o);
    }

    /** The result of a handled command; the same {@code done} always gives the same result. */
    static CommandResult result(String aggregateId, AggregateRecord.ProcessedCommand done) {
        var b = CommandResult.newBuilder()
                .setCommandId(echo(done.commandId())).setAggregateId(echo(aggregateId))
                .setCorrelationId(echo(done.correlationId()))
                .setTimestamp(Instant.ofEpochMilli(done.processedAt()));
        if (done.accepted()) {
            return b.setStatus(CommandStatus.ACCEPTED).setVersion(done.version()).setRejection(null).build();
        }
        return b.setStatus(CommandStatus.REJECTED).setVersion(null)
                .setRejection(io.eventflow.schemas.Rejection.newBuilder()
                        .setReason(reason(done.reason()))
                        .setMessage(done.message())
                        .setExpectedVersion(done.expectedVersion())
                        .setActualVersion(done.actualVersion())
                        .build())
                .build();
    }

    /** An id as echoed in a result and used as its key: at most {@link #MAX_ECHOED_ID_LENGTH} characters. */
    static String echo(String id) {
        if (id == null) {
            return "";
        }
        return id.length() <= MAX_ECHOED_ID_LENGTH ? id : id.substring(0, MAX_ECHOED_ID_LENGTH);
    }

    private static RejectionReason reason(String name) {
        try {
            return RejectionReason.valueOf(name);
        } catch (IllegalArgumentException e) {
            return RejectionReason.UNKNOWN;
        }
    }
}
