package io.eventflow.command.pipeline;

import io.eventflow.payments.PaymentState;
import io.eventflow.payments.Payments;
import io.eventflow.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The command topology with the payments type alone, as the tests of the payment pipeline build it. */
final class PaymentsTopology {
    static final String STORE = "payment-aggregates";
    static final AggregateRecordSerde<PaymentState> SERDE = new AggregateRecordSerde<>(Payments.TYPE.stateCodec());

    private PaymentsTopology() {
    }

    static CommandTopology build(CommandTopology.Topics topics, SchemaRegistryClient registry,
            AggregateHistory<PaymentState> history, Idempotency idempotency, Clock clock, MeterRegistry metrics) {
        return build(topics, registry, history, new CommandTopology.Limits(idempotency, Duration.ofMinutes(5)), clock,
                metrics);
    }

    static CommandTopology build(CommandTopology.Topics topics, SchemaRegistryClient registry,
            AggregateHistory<PaymentState> history, CommandTopology.Limits limits, Clock clock, MeterRegistry metrics) {
        return CommandTopology.build(List.of(new CommandTopology.Route<>(Payments.TYPE, topics, history)), registry,
                limits, clock, metrics);
    }

    /** A payment in the fields the command side decides on; the timestamps and error are left out. */
    static PaymentState state(String id, PaymentState.Status status, long amount, String currency, String org,
            String user, long refunded, long version) {
        return new PaymentState(id, status, amount, currency, org, user, refunded, 0, null, null, null, null, null,
                version);
    }
}
