package io.eventflow.command.pipeline;

import io.eventflow.command.bus.CommandMessage;
import io.eventflow.command.bus.NoHandlerException;
import io.eventflow.command.payment.Decision;
import io.eventflow.command.payment.PaymentCommand;
import io.eventflow.command.payment.PaymentEvent;
import io.eventflow.command.payment.PaymentState;
import io.eventflow.command.payment.Payments;
import io.eventflow.command.pipeline.AggregateRecord.ProcessedCommand;
import io.eventflow.eventstore.EnvelopeRules;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 * Decodes a command, checks its key and envelope, answers a retried commandId with its first
 * result, loads the aggregate (state store first, then the event store), runs the bus, and forwards
 * events and a result. Every command whose envelope decodes gets exactly one result; the ones
 * refused for a broken record (a wrong key, no handler, a history that cannot be loaded) are also
 * dead-lettered. Only bytes that do not decode get a dead letter alone. Under exactly_once_v2 the
 * store update, all outputs and the input offset commit together.
 *
 * <p>Infrastructure faults are never answered or dead-lettered: an unreachable registry or
 * Elasticsearch fails the task after bounded retries ({@link TransientRetry}), and a state store that
 * fails or holds a value that does not decode stops the service ({@link StateStoreFailure}).
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
        try {
            command = deps.retry().call("decoding " + where(source), () -> deps.decoder().deserialize(source.topic(),
                    record.value()), TransientRetry::isRetriable);
            if (command == null) {
                throw new SerializationException("command record has no value (tombstone)");
            }
        } catch (TransientRetry.StillUnavailableException e) {
            // e.g. the schema registry is unreachable: never dead-letter; fail the task so the record
            // is read again from the last committed offset.
            throw e;
        } catch (Exception e) {
            deadLetter(record, source, e);
            deps.retry().succeeded();
            return;
        }
        Instant now = deps.clock().instant();

        Optional<String> badKey = keyViolation(record.key(), command.getAggregateId());
        if (badKey.isPresent()) {
            refuse(record, source, command, Refusal.KEY_MISMATCH, badKey.get(), now);
            return;
        }
        Optional<String> badEnvelope = envelopeViolation(command);
        if (badEnvelope.isPresent()) {
            refuse(record, source, command, Refusal.INVALID_ENVELOPE, badEnvelope.get(), now);
            return;
        }

        String key = command.getAggregateId();
        AggregateRecord aggregate;
        try {
            aggregate = load(key);
        } catch (TransientRetry.StillUnavailableException | StateStoreFailure e) {
            throw e;
        } catch (Exception e) {
            // A corrupt history (a gap, an unknown event type) will not heal by retrying.
            refuse(record, source, command, Refusal.AGGREGATE_UNAVAILABLE,
                    "the history of aggregate " + key + " cannot be loaded: " + e.getMessage(), now);
            return;
        }

        var idempotency = deps.idempotency();
        long oldestKept = now.toEpochMilli() - idempotency.window().toMillis();
        var duplicate = aggregate.find(command.getCommandId(), oldestKept);
        // Only the payment's own organization gets a remembered result back; another one's retry of
        // a known commandId goes through validation and is refused, learning nothing of the payment.
        if (duplicate.isPresent() && sameTenant(aggregate.state(), command)) {
            context.forward(new Record<>(key, AvroEdge.result(key, duplicate.get()), now.toEpochMilli()),
                    CommandTopology.RESULTS_SINK);
            metrics.counter("eventflow.commands.duplicates").increment();
            log.info("command {} for {} was already handled; answered with its first result (correlation {}, {})",
                    command.getCommandId(), key, command.getCorrelationId(), where(source));
            deps.retry().succeeded();
            return;
        }

        Decision decision;
        try {
            PaymentCommand domain = AvroEdge.toDomain(command);
            decision = deps.bus().dispatch(aggregate.state(), new CommandMessage<>(command.getCommandId(), key,
                    command.getCorrelationId(), command.getCausationId(), organizationOf(command),
                    command.getExpectedVersion(), domain));
        } catch (NoHandlerException | IllegalArgumentException e) {
            refuse(record, source, command, Refusal.UNSUPPORTED_COMMAND, "no handler for this command: "
                    + e.getMessage(), now);
            return;
        }

        PaymentState next = aggregate.state();
        List<PaymentEvent> events = List.of();
        ProcessedCommand done;
        if (decision instanceof Decision.Accepted accepted) {
            events = accepted.events();
            next = Payments.evolveAll(next, events);
            done = new ProcessedCommand(command.getCommandId(), command.getCorrelationId(), now.toEpochMilli(), true,
                    next.version(), null, null, null, null);
        } else {
            var r = ((Decision.Rejected) decision).rejection();
            done = new ProcessedCommand(command.getCommandId(), command.getCorrelationId(), now.toEpochMilli(), false,
                    null, r.reason().name(), r.message(), r.expectedVersion(), r.actualVersion());
        }
        Optional<AggregateRecord> stored = aggregate.next(next, done, oldestKept,
                idempotency.maxCommandsPerAggregate(), idempotency.maxBytesPerAggregate());
        if (stored.isEmpty()) {
            refuse(record, source, command, Refusal.STATE_LIMIT_EXCEEDED, "the state of aggregate " + key
                    + " with this command's result would exceed " + idempotency.maxBytesPerAggregate() + " bytes", now);
            return;
        }
        long version = aggregate.state().version();
        for (PaymentEvent event : events) {
            version++;
            context.forward(new Record<>(key, AvroEdge.toAvro(command, event, version, now), now.toEpochMilli()),
                    CommandTopology.EVENTS_SINK);
        }
        store.put(key, stored.get());
        context.forward(new Record<>(key, AvroEdge.result(key, done), now.toEpochMilli()), CommandTopology.RESULTS_SINK);
        deps.retry().succeeded();
    }

    /** Why the record key cannot carry this command, or empty when it is the aggregate id's UTF-8 bytes. */
    static Optional<String> keyViolation(byte[] key, String aggregateId) {
        if (key == null) {
            return Optional.of("the record has no key; commands are keyed by their aggregateId");
        }
        if (!Arrays.equals(key, aggregateId.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of("the record key is not the envelope's aggregateId (UTF-8); a command keyed otherwise "
                    + "lands on another aggregate's partition");
        }
        return Optional.empty();
    }

    /** The first way the envelope breaks {@link EnvelopeRules}, or empty. */
    static Optional<String> envelopeViolation(CommandEnvelope c) {
        Optional<String> v = EnvelopeRules.idViolation("aggregateId", c.getAggregateId());
        if (v.isEmpty()) {
            v = EnvelopeRules.idViolation("commandId", c.getCommandId());
        }
        if (v.isEmpty()) {
            v = EnvelopeRules.idViolation("correlationId", c.getCorrelationId());
        }
        if (v.isEmpty()) {
            v = EnvelopeRules.optionalIdViolation("causationId", c.getCausationId());
        }
        if (v.isEmpty()) {
            Metadata m = c.getMetadata();
            v = m == null ? Optional.empty()
                    : EnvelopeRules.metadataViolation(m.getOrganizationId(), m.getUserId(), m.getExtra());
        }
        return v;
    }

    private static boolean sameTenant(PaymentState state, CommandEnvelope c) {
        return !state.exists() || Objects.equals(state.organizationId(), organizationOf(c));
    }

    private static String organizationOf(CommandEnvelope c) {
        return c.getMetadata() == null ? null : c.getMetadata().getOrganizationId();
    }

    private AggregateRecord load(String aggregateId) throws Exception {
        AggregateRecord known;
        try {
            known = store.get(aggregateId);
        } catch (RuntimeException e) {
            // RocksDB failing, or a stored value that does not decode: the store is broken, the command is not.
            throw new StateStoreFailure("state store " + CommandTopology.STATE_STORE + " failed reading aggregate "
                    + aggregateId + " on partition " + partition + ": " + e, e);
        }
        if (known != null) {
            return known;
        }
        Hydration.Loaded loaded = deps.hydration().load(aggregateId);
        if (loaded.searched()) {
            // The search's time counts against this thread's transaction: end it after this record,
            // so the next search starts a fresh one rather than piling onto this one.
            context.commit();
        }
        return AggregateRecord.of(loaded.state());
    }

    /**
     * Answers a decoded command with a REJECTED result and, when the refusal says so, dead-letters the
     * record; both in this record's transaction. The aggregate's state is left alone.
     */
    private void refuse(Record<byte[], byte[]> record, RecordMetadata source, CommandEnvelope command, Refusal refusal,
            String message, Instant now) {
        ProcessedCommand done = new ProcessedCommand(command.getCommandId(), command.getCorrelationId(),
                now.toEpochMilli(), false, null, refusal.name(), message, null, null);
        String key = AvroEdge.echo(command.getAggregateId());
        context.forward(new Record<>(key, AvroEdge.result(key, done), now.toEpochMilli()), CommandTopology.RESULTS_SINK);
        metrics.counter("eventflow.commands.refused", "reason", refusal.name()).increment();
        if (refusal.deadLettered) {
            deadLetter(record, source, new IllegalArgumentException(refusal.name() + ": " + message));
        } else {
            log.warn("refused command {} ({}): {}: {}", AvroEdge.echo(command.getCommandId()), where(source),
                    refusal, message);
        }
        deps.retry().succeeded();
    }

    private void deadLetter(Record<byte[], byte[]> record, RecordMetadata source, Exception error) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        DeadLetterHeaders.add(headers, error, source.topic(), source.partition(), source.offset());
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers),
                CommandTopology.DEAD_LETTER_SINK);
        metrics.counter("eventflow.commands.dead.lettered").increment();
        log.warn("dead-lettered record {}: {}", where(source), error.toString());
    }

    private static String where(RecordMetadata source) {
        return source.topic() + "-" + source.partition() + "@" + source.offset();
    }
}
