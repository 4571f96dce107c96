package io.eventflow.command.pipeline;

import io.eventflow.command.bus.CommandBus;
import io.eventflow.command.bus.NoHandlerException;
import io.eventflow.command.payment.Decision;
import io.eventflow.command.payment.PaymentCommand;
import io.eventflow.command.payment.PaymentEvent;
import io.eventflow.command.payment.PaymentState;
import io.eventflow.command.payment.Payments;
import io.eventflow.command.payment.Rejection;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes a command, loads its aggregate (state store first, then the event store), checks the
 * expected version, decides, and forwards events, a result, or a dead letter. Under
 * exactly_once_v2 the store update, all outputs and the input offset commit together.
 */
final class CommandProcessor implements Processor<byte[], byte[], Object, Object> {
    private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);

    private final Deserializer<CommandEnvelope> decoder;
    private final CommandBus<PaymentState, PaymentCommand, Decision> bus;
    private final AggregateHistory history;
    private final Clock clock;
    private final MeterRegistry metrics;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, PaymentState> store;

    CommandProcessor(Deserializer<CommandEnvelope> decoder, CommandBus<PaymentState, PaymentCommand, Decision> bus,
            AggregateHistory history, Clock clock, MeterRegistry metrics) {
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.bus = Objects.requireNonNull(bus, "bus");
        this.history = Objects.requireNonNull(history, "history");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(CommandTopology.STATE_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        CommandEnvelope command;
        PaymentCommand domain;
        try {
            command = decoder.deserialize(source.topic(), record.value());
            if (command == null) {
                throw new SerializationException("command record has no value (tombstone)");
            }
            domain = AvroEdge.toDomain(command);
        } catch (RetriableException e) {
            // e.g. the schema registry is unreachable: do not dead-letter; fail the task so the
            // record is read again from the last committed offset.
            throw e;
        } catch (RuntimeException e) {
            deadLetter(record, source, e);
            return;
        }

        PaymentState state = load(command.getAggregateId());
        Instant now = clock.instant();
        Long expected = command.getExpectedVersion();
        Decision decision;
        if (expected != null && expected != state.version()) {
            decision = new Decision.Rejected(Rejection.conflict(expected, state.version()));
        } else {
            try {
                decision = bus.dispatch(state, domain);
            } catch (NoHandlerException e) {
                deadLetter(record, source, e);
                return;
            }
        }

        String key = command.getAggregateId();
        long timestamp = now.toEpochMilli();
        if (decision instanceof Decision.Accepted accepted) {
            List<PaymentEvent> events = accepted.events();
            PaymentState next = state;
            for (int i = 0; i < events.size(); i++) {
                next = Payments.evolve(next, events.get(i));
                context.forward(new Record<>(key, AvroEdge.toAvro(command, events.get(i), i, next.version(), now), timestamp),
                        CommandTopology.EVENTS_SINK);
            }
            store.put(key, next);
            context.forward(new Record<>(key, AvroEdge.accepted(command, next.version(), now), timestamp),
                    CommandTopology.RESULTS_SINK);
            metrics.counter("eventflow.commands", "outcome", "accepted", "reason", "none").increment();
            log.debug("accepted command {} for {} at version {} (correlation {}, {}-{}@{})", command.getCommandId(), key,
                    next.version(), command.getCorrelationId(), source.topic(), source.partition(), source.offset());
        } else {
            Rejection rejection = ((Decision.Rejected) decision).rejection();
            context.forward(new Record<>(key, AvroEdge.rejected(command, rejection, now), timestamp),
                    CommandTopology.RESULTS_SINK);
            metrics.counter("eventflow.commands", "outcome", "rejected", "reason", rejection.reason().name()).increment();
            log.info("rejected command {} for {}: {} {} (correlation {}, {}-{}@{})", command.getCommandId(), key,
                    rejection.reason(), rejection.message(), command.getCorrelationId(), source.topic(),
                    source.partition(), source.offset());
        }
    }

    private PaymentState load(String aggregateId) {
        PaymentState state = store.get(aggregateId);
        if (state != null) {
            return state;
        }
        try {
            return history.load(aggregateId);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot load aggregate " + aggregateId + " from the event store", e);
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, RecordMetadata source, Exception error) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        DeadLetterHeaders.add(headers, error, source.topic(), source.partition(), source.offset());
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers),
                CommandTopology.DEAD_LETTER_SINK);
        metrics.counter("eventflow.commands.dead.lettered").increment();
        log.warn("dead-lettered record {}-{}@{}: {}", source.topic(), source.partition(), source.offset(), error.toString());
    }
}
