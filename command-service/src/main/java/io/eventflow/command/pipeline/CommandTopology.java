package io.eventflow.command.pipeline;

import io.eventflow.command.bus.CommandBus;
import io.eventflow.command.payment.Decision;
import io.eventflow.command.payment.PaymentCommand;
import io.eventflow.command.payment.PaymentState;
import io.eventflow.command.payment.Payments;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.EventStoreReader;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** Builds the command-processing topology. */
public final class CommandTopology {
    static final String SOURCE = "commands";
    static final String PROCESSOR = "decide";
    static final String STATE_STORE = "payment-aggregates";
    static final String EVENTS_SINK = "events";
    static final String RESULTS_SINK = "results";
    static final String DEAD_LETTER_SINK = "dead-letters";

    /** Topic names the topology reads and writes. */
    public record Topics(String commands, String events, String results, String deadLetters) {
    }

    private CommandTopology() {
    }

    /** The payment command bus: one handler per command type. */
    static CommandBus<PaymentState, PaymentCommand, Decision> paymentBus() {
        return new CommandBus<PaymentState, PaymentCommand, Decision>()
                .register(PaymentCommand.ProcessPayment.class, Payments::process)
                .register(PaymentCommand.FailPayment.class, Payments::fail)
                .register(PaymentCommand.RefundPayment.class, Payments::refund);
    }

    /** State of an aggregate from its indexed events, or the initial state when none are indexed. */
    static AggregateHistory fromEventStore(EventStoreReader reader) {
        return aggregateId -> {
            PaymentState state = PaymentState.initial(aggregateId);
            for (EventDocument doc : reader.history(aggregateId)) {
                if (doc.version() != state.version() + 1) {
                    throw new IllegalStateException("event store history of " + aggregateId + " has a gap: version "
                            + doc.version() + " after " + state.version());
                }
                state = Payments.evolve(state, AvroEdge.fromDocument(doc));
            }
            return state;
        };
    }

    public static Topology build(Topics topics, SchemaRegistryClient registry, EventStoreReader eventStore,
            Clock clock, MeterRegistry metrics) {
        AggregateHistory history = fromEventStore(eventStore);
        return build(topics, registry, history, clock, metrics);
    }

    static Topology build(Topics topics, SchemaRegistryClient registry, AggregateHistory history, Clock clock,
            MeterRegistry metrics) {
        var bus = paymentBus();
        var decoder = new AvroDeserializer<>(registry, CommandEnvelope.class);
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.commands());
        topology.addProcessor(PROCESSOR, () -> new CommandProcessor(decoder, bus, history, clock, metrics), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE),
                Serdes.String(), JsonSerde.of(PaymentState.class)), PROCESSOR);
        topology.addSink(EVENTS_SINK, topics.events(), new StringSerializer(),
                new AvroSerializer<EventEnvelope>(registry, true), PROCESSOR);
        topology.addSink(RESULTS_SINK, topics.results(), new StringSerializer(),
                new AvroSerializer<CommandResult>(registry, true), PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetters(), new ByteArraySerializer(), new ByteArraySerializer(),
                PROCESSOR);
        return topology;
    }
}
