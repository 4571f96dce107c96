package io.eventflow.command.pipeline;

import io.eventflow.command.bus.CommandBus;
import io.eventflow.command.bus.CommandMessage;
import io.eventflow.command.bus.NoHandlerException;
import io.eventflow.command.payment.Decision;
import io.eventflow.command.payment.PaymentCommand;
import io.eventflow.command.payment.PaymentEvent;
import io.eventflow.command.payment.PaymentState;
import io.eventflow.command.payment.Payments;
import io.eventflow.command.pipeline.AggregateRecord.ProcessedCommand;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes a command, answers a retried commandId with its first result, loads the aggregate (state
 * store first, then the event store), runs the bus, and forwards events and a result, or a dead
 * letter. Under exactly_once_v2 the store update, all outputs and the input offset commit together.
 */
final class CommandProcessor implements Processor<byte[], byte[], Object, Object> {
    private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);

    private final CommandProcessing deps;
    private final MeterRegistry metrics;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, AggregateRecord> store;
    private int partition = -1;

    CommandProcessor(CommandProcessing deps) {
        this.deps = Objects.requireNonNull(deps, "deps");
        this.metrics = deps.metrics();
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(CommandTopology.STATE_STORE);
        this.partition = context.taskId().partition();
        deps.hydration().register(partition, store);
    }

    @Override
    public void close() {
        deps.hydration().unregister(partition, store);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        CommandEnvelope command;
        PaymentCommand domain;
        try {
            command = deps.retry().call("decoding " + source.topic() + "-" + source.partition() + "@" + source.offset(),
                    () -> deps.decoder().deserialize(source.topic(), record.value()));
            if (command == null) {
                throw new SerializationException("command record has no value (tombstone)");
            }
            domain = AvroEdge.toDomain(command);
        } catch (TransientRetry.StillUnavailableException e) {
            // e.g. the schema registry is unreachable: never dead-letter; fail the task so the record
            // is read again from the last committed offset.
            throw e;
        } catch (Exception e) {
            deadLetter(record, source, e);
            return;
        }

        String key = command.getAggregateId();
        AggregateRecord aggregate;
        try {
            aggregate = load(key);
        } catch (TransientRetry.StillUnavailableException e) {
            throw e;
        } catch (Exception e) {
            // A corrupt history (a gap, an unknown event type) will not heal by retrying.
            deadLetter(record, source, new IllegalStateException("cannot load aggregate " + key + ": " + e, e));
            return;
        }

        Instant now = deps.clock().instant();
        var duplicate = aggregate.find(command.getCommandId());
        if (duplicate.isPresent()) {
            context.forward(new Record<>(key, AvroEdge.result(key, duplicate.get()), now.toEpochMilli()),
                    CommandTopology.RESULTS_SINK);
            metrics.counter("eventflow.commands.duplicates").increment();
            log.info("command {} for {} was already handled; answered with its first result (correlation {}, {}-{}@{})",
                    command.getCommandId(), key, command.getCorrelationId(), source.topic(), source.partition(),
                    source.offset());
            deps.retry().succeeded();
            return;
        }

        Decision decision;
        try {
            decision = deps.bus().dispatch(aggregate.state(), new CommandMessage<>(command.getCommandId(), key,
                    command.getCorrelationId(), command.getCausationId(), command.getExpectedVersion(), domain));
        } catch (NoHandlerException e) {
            deadLetter(record, source, e);
            return;
        }

        PaymentState next = aggregate.state();
        ProcessedCommand done;
        if (decision instanceof Decision.Accepted accepted) {
            List<PaymentEvent> events = accepted.events();
            for (int i = 0; i < events.size(); i++) {
                next = Payments.evolve(next, events.get(i));
                context.forward(new Record<>(key, AvroEdge.toAvro(command, events.get(i), i, next.version(), now),
                        now.toEpochMilli()), CommandTopology.EVENTS_SINK);
            }
            done = new ProcessedCommand(command.getCommandId(), command.getCorrelationId(), now.toEpochMilli(), true,
                    next.version(), null, null, null, null);
        } else {
            var r = ((Decision.Rejected) decision).rejection();
            done = new ProcessedCommand(command.getCommandId(), command.getCorrelationId(), now.toEpochMilli(), false,
                    null, r.reason().name(), r.message(), r.expectedVersion(), r.actualVersion());
        }
        var idempotency = deps.idempotency();
        store.put(key, aggregate.next(next, done, now.toEpochMilli() - idempotency.window().toMillis(),
                idempotency.maxCommandsPerAggregate()));
        context.forward(new Record<>(key, AvroEdge.result(key, done), now.toEpochMilli()), CommandTopology.RESULTS_SINK);
        deps.retry().succeeded();
    }

    private AggregateRecord load(String aggregateId) throws Exception {
        AggregateRecord known = store.get(aggregateId);
        return known != null ? known : AggregateRecord.of(deps.hydration().load(aggregateId));
    }

    private void deadLetter(Record<byte[], byte[]> record, RecordMetadata source, Exception error) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        DeadLetterHeaders.add(headers, error, source.topic(), source.partition(), source.offset());
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers),
                CommandTopology.DEAD_LETTER_SINK);
        metrics.counter("eventflow.commands.dead.lettered").increment();
        log.warn("dead-lettered record {}-{}@{}: {}", source.topic(), source.partition(), source.offset(), error.toString());
        deps.retry().succeeded();
    }
}
