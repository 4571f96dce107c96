package io.eventflow.payments;

import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.payment.DisputePayment;
import io.eventflow.schemas.payment.FailPayment;
import io.eventflow.schemas.payment.PaymentDisputed;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import io.eventflow.schemas.payment.ProcessPayment;
import io.eventflow.schemas.payment.RefundPayment;
import io.eventflow.aggregate.AvroEdge;
import org.apache.avro.specific.SpecificRecord;

/** Payments between Avro and the domain. The envelopes keep their first names: the topic's subjects hold them. */
final class PaymentAvro implements AvroEdge<PaymentCommand, PaymentEvent> {

    @Override
    public Class<CommandEnvelope> commandEnvelope() {
        return CommandEnvelope.class;
    }

    @Override
    public Class<EventEnvelope> eventEnvelope() {
        return EventEnvelope.class;
    }

    @Override
    public PaymentCommand command(SpecificRecord p) {
        if (p instanceof ProcessPayment c) {
            return new PaymentCommand.ProcessPayment(c.getPaymentId(), c.getAmount(), c.getCurrency(),
                    c.getOrganizationId(), c.getUserId(), c.getDescription());
        }
        if (p instanceof FailPayment c) {
            return new PaymentCommand.FailPayment(c.getPaymentId(), c.getError());
        }
        if (p instanceof RefundPayment c) {
            return new PaymentCommand.RefundPayment(c.getPaymentId(), c.getRefundAmount());
        }
        if (p instanceof DisputePayment c) {
            return new PaymentCommand.DisputePayment(c.getPaymentId(), c.getReason());
        }
        throw new IllegalArgumentException("not a payment command: " + (p == null ? null : p.getSchema().getFullName()));
    }

    @Override
    public SpecificRecord event(PaymentEvent event) {
        if (event instanceof PaymentEvent.PaymentProcessed e) {
            return new PaymentProcessed(e.paymentId(), e.amount(), e.currency(), e.organizationId(), e.userId(),
                    e.description());
        }
        if (event instanceof PaymentEvent.PaymentFailed e) {
            return new PaymentFailed(e.paymentId(), e.error());
        }
        if (event instanceof PaymentEvent.PaymentRefunded e) {
            return new PaymentRefunded(e.paymentId(), e.refundAmount());
        }
        if (event instanceof PaymentEvent.PaymentDisputed e) {
            return new PaymentDisputed(e.paymentId(), e.reason());
        }
        throw new IllegalArgumentException("unknown event " + event);
    }

    @Override
    public PaymentEvent event(SpecificRecord p) {
        if (p instanceof PaymentProcessed e) {
            return new PaymentEvent.PaymentProcessed(e.getPaymentId(), e.getAmount(), e.getCurrency(),
                    e.getOrganizationId(), e.getUserId(), e.getDescription());
        }
        if (p instanceof PaymentFailed e) {
            return new PaymentEvent.PaymentFailed(e.getPaymentId(), e.getReason());
        }
        if (p instanceof PaymentRefunded e) {
            return new PaymentEvent.PaymentRefunded(e.getPaymentId(), e.getRefundAmount());
        }
        if (p instanceof PaymentDisputed e) {
            return new PaymentEvent.PaymentDisputed(e.getPaymentId(), e.getReason());
        }
        throw new IllegalArgumentException("not a payment event: " + (p == null ? null : p.getSchema().getFullName()));
    }
}
