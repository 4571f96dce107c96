package io.eventflow.payments;

import io.eventflow.aggregate.AggregateNames;
import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.AvroEdge;
import io.eventflow.aggregate.Domain;
import io.eventflow.aggregate.ReadModel;
import io.eventflow.aggregate.Recorded;
import io.eventflow.aggregate.StateCodec;

/** The payment aggregate's parts; see {@link Payments#TYPE}. */
final class PaymentType implements AggregateType<PaymentState, PaymentCommand, PaymentEvent> {
    private static final AggregateNames NAMES = new AggregateNames("Payment", "payment", "payments");
    private final Domain<PaymentState, PaymentCommand, PaymentEvent> domain = new PaymentDomain();
    private final AvroEdge<PaymentCommand, PaymentEvent> avro = new PaymentAvro();
    private final StateCodec<PaymentState> codec = new PaymentStateCodec();
    private final ReadModel<PaymentState> readModel = new PaymentReadModel();

    @Override
    public AggregateNames names() {
        return NAMES;
    }

    @Override
    public Domain<PaymentState, PaymentCommand, PaymentEvent> domain() {
        return domain;
    }

    @Override
    public AvroEdge<PaymentCommand, PaymentEvent> avro() {
        return avro;
    }

    @Override
    public StateCodec<PaymentState> stateCodec() {
        return codec;
    }

    @Override
    public ReadModel<PaymentState> readModel() {
        return readModel;
    }

    @Override
    public String toString() {
        return "aggregate type " + NAMES.type();
    }

    private static final class PaymentDomain implements Domain<PaymentState, PaymentCommand, PaymentEvent> {
        @Override
        public PaymentState initial(String aggregateId) {
            return PaymentState.initial(aggregateId);
        }

        @Override
        public void handlers(Handlers<PaymentState, PaymentCommand, PaymentEvent> handlers) {
            handlers.on(PaymentCommand.ProcessPayment.class, Payments::process)
                    .on(PaymentCommand.FailPayment.class, Payments::fail)
                    .on(PaymentCommand.RefundPayment.class, Payments::refund)
                    .on(PaymentCommand.DisputePayment.class, Payments::dispute);
        }

        @Override
        public PaymentState evolve(PaymentState state, Recorded<PaymentEvent> event) {
            return Payments.evolve(state, event);
        }

        @Override
        public long version(PaymentState state) {
            return state.version();
        }

        @Override
        public String organizationId(PaymentState state) {
            return state.exists() ? state.organizationId() : null;
        }

        @Override
        public String aggregateId(PaymentCommand command) {
            return command.paymentId();
        }

        @Override
        public String createsIn(PaymentCommand command) {
            // An absent organization in the payload still marks a creating command: the envelope's
            // organization can never equal it, so it is a mismatch, as it always was.
            return command instanceof PaymentCommand.ProcessPayment p
                    ? (p.organizationId() == null ? "" : p.organizationId()) : null;
        }
    }
}
