package io.eventflow.command.pipeline;

import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.Decision;
import io.eventflow.aggregate.Domain;
import io.eventflow.aggregate.Envelopes;
import io.eventflow.aggregate.Envelopes.CommandView;
import io.eventflow.aggregate.Envelopes.EventView;
import io.eventflow.aggregate.Recorded;
import io.eventflow.aggregate.Tenancy;
import io.eventflow.command.bus.CommandMessage;
import io.eventflow.command.bus.NoHandlerException;
import io.eventflow.command.pipeline.AggregateRecord.ProcessedCommand;
import io.eventflow.eventstore.EnvelopeRules;
import io.eventflow.eventstore.EventIds;
import io.eventflow.eventstore.LogContext;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
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
 * The processor of one aggregate type's commands topic. Decodes a command (the type's own command
 * envelope), checks its key, its aggregateType (the topic's type) and envelope, answers a retried commandId with its first
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
final class CommandProcessor<S, C, E> implements Processor<byte[], byte[], Object, Object> {
    private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);

    private final CommandProcessing<S, C, E> deps;
    private final AggregateType<S, C, E> type;
    private final Domain<S, C, E> domain;
    private final String typeName;
    private final CommandProcessing.Nodes nodes;
    private final MeterRegistry metrics;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, AggregateRecord<S>> store;
    private int partition = -1;

    CommandProcessor(CommandProcessing<S, C, E> deps) {
        this.deps = Objects.requireNonNull(deps, "deps");
        this.type = deps.type();
        this.domain = type.domain();
        this.typeName = type.names().type();
        this.nodes = deps.nodes();
        this.metrics = deps.metrics();
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(nodes.store());
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
        try (LogContext logContext = LogContext.record(source.topic(), source.partition(), source.offset())) {
            handle(record, source, logContext);
        }
    }

    private void handle(Record<byte[], byte[]> record, RecordMetadata source, LogContext logContext) {
        CommandView command;
        try {
            SpecificRecord envelope = deps.retry().call("decoding " + where(source),
                    () -> deps.decoder().deserialize(source.topic(), record.value()), TransientRetry::isRetriable);
            if (envelope == null) {
                throw new SerializationException("command record has no value (tombstone)");
            }
            command = Envelopes.command(envelope);
            // Cut to the length a result echoes: a hostile id must not bloat every line.
            logContext.commandId(command.commandId() == null ? null : Results.echo(command.commandId()));
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

        Optional<String> badKey = keyViolation(record.key(), command.aggregateId());
        if (badKey.isPresent()) {
            refuse(record, source, command, Refusal.KEY_MISMATCH, badKey.get(), now);
            return;
        }
        if (!typeName.equals(command.aggregateType())) {
            // Before anything reads the aggregate: a misrouted command must not act on, nor learn
            // anything about, this type's aggregate of the same id.
            refuse(record, source, command, Refusal.WRONG_AGGREGATE_TYPE, "aggregateType '" + command.aggregateType()
                    + "' is not '" + typeName + "', the aggregate type of topic " + source.topic(), now);
            return;
        }
        Optional<String> badEnvelope = envelopeViolation(command);
        if (badEnvelope.isPresent()) {
            refuse(record, source, command, Refusal.INVALID_ENVELOPE, badEnvelope.get(), now);
            return;
        }

        String key = command.aggregateId();
        AggregateRecord<S> aggregate;
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
        var duplicate = aggregate.find(command.commandId(), oldestKept);
        // Only the aggregate's own organization gets a remembered result back; another one's retry of
        // a known commandId goes through validation and is refused, learning nothing of the aggregate.
        if (duplicate.isPresent() && Tenancy.sameTenant(domain, aggregate.state(), command.organizationId())) {
            context.forward(new Record<>(key, Results.result(typeName, key, duplicate.get()), now.toEpochMilli()),
                    nodes.resultsSink());
            metrics.counter("eventflow.commands.duplicates").increment();
            log.info("command {} for {} {} was already handled; answered with its first result (correlation {}, {})",
                    command.commandId(), typeName, key, command.correlationId(), where(source));
            deps.retry().succeeded();
            return;
        }

        Decision<E> decision;
        try {
            C payload = type.avro().command(command.payload());
            decision = deps.bus().dispatch(aggregate.state(), new CommandMessage<>(command.commandId(), key,
                    command.correlationId(), command.causationId(), command.organizationId(),
                    command.expectedVersion(), payload));
        } catch (NoHandlerException | IllegalArgumentException e) {
            refuse(record, source, command, Refusal.UNSUPPORTED_COMMAND, "no handler for this command: "
                    + e.getMessage(), now);
            return;
        }

        S next = aggregate.state();
        List<Recorded<E>> events = new ArrayList<>();
        ProcessedCommand done;
        if (decision instanceof Decision.Accepted<E> accepted) {
            long version = domain.version(next);
            for (E event : accepted.events()) {
                Recorded<E> recorded = new Recorded<>(key, ++version, now, event);
                next = domain.evolve(next, recorded);
                events.add(recorded);
            }
            done = new ProcessedCommand(command.commandId(), command.correlationId(), now.toEpochMilli(), true,
                    domain.version(next), null, null, null, null);
        } else {
            var r = ((Decision.Rejected<E>) decision).rejection();
            done = new ProcessedCommand(command.commandId(), command.correlationId(), now.toEpochMilli(), false,
                    null, r.code(), r.message(), r.expectedVersion(), r.actualVersion());
        }
        Optional<AggregateRecord<S>> stored = aggregate.next(next, done, oldestKept,
                idempotency.maxCommandsPerAggregate(), idempotency.maxBytesPerAggregate(), deps.serde());
        if (stored.isEmpty()) {
            refuse(record, source, command, Refusal.STATE_LIMIT_EXCEEDED, "the state of aggregate " + key
                    + " with this command's result would exceed " + idempotency.maxBytesPerAggregate() + " bytes", now);
            return;
        }
        for (Recorded<E> e : events) {
            context.forward(new Record<>(key, toAvro(command, e), now.toEpochMilli()), nodes.eventsSink());
        }
        store.put(key, stored.get());
        context.forward(new Record<>(key, Results.result(typeName, key, done), now.toEpochMilli()),
                nodes.resultsSink());
        deps.retry().succeeded();
    }

    /** An event in the type's event envelope; its id follows the event store's rule (type, aggregate, version). */
    private SpecificRecord toAvro(CommandView command, Recorded<E> e) {
        SpecificRecord payload = type.avro().event(e.event());
        return Envelopes.newEvent(type.avro().eventEnvelope(), new EventView(
                EventIds.of(typeName, e.aggregateId(), e.version()), e.aggregateId(), typeName,
                Envelopes.eventType(payload), e.version(), e.timestamp(), command.correlationId(), command.commandId(),
                command.metadata(), payload));
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
    static Optional<String> envelopeViolation(CommandView c) {
        Optional<String> v = EnvelopeRules.idViolation("aggregateId", c.aggregateId());
        if (v.isEmpty()) {
            v = EnvelopeRules.idViolation("commandId", c.commandId());
        }
        if (v.isEmpty()) {
            v = EnvelopeRules.idViolation("correlationId", c.correlationId());
        }
        if (v.isEmpty()) {
            v = EnvelopeRules.optionalIdViolation("causationId", c.causationId());
        }
        if (v.isEmpty()) {
            Metadata m = c.metadata();
            v = m == null ? Optional.empty()
                    : EnvelopeRules.metadataViolation(m.getOrganizationId(), m.getUserId(), m.getExtra());
        }
        return v;
    }

    private AggregateRecord<S> load(String aggregateId) throws Exception {
        AggregateRecord<S> known;
        try {
            known = store.get(aggregateId);
        } catch (RuntimeException e) {
            // RocksDB failing, or a stored value that does not decode: the store is broken, the command is not.
            throw new StateStoreFailure("state store " + nodes.store() + " failed reading aggregate "
                    + aggregateId + " on partition " + partition + ": " + e, e);
        }
        if (known != null) {
            return known;
        }
        Hydration.Loaded<S> loaded = deps.hydration().load(aggregateId);
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
    private void refuse(Record<byte[], byte[]> record, RecordMetadata source, CommandView command, Refusal refusal,
            String message, Instant now) {
        ProcessedCommand done = new ProcessedCommand(command.commandId(), command.correlationId(),
                now.toEpochMilli(), false, null, refusal.name(), message, null, null);
        String key = Results.echo(command.aggregateId());
        context.forward(new Record<>(key, Results.result(typeName, key, done), now.toEpochMilli()),
                nodes.resultsSink());
        metrics.counter("eventflow.commands.refused", "reason", refusal.name()).increment();
        if (refusal.deadLettered) {
            deadLetter(record, source, new IllegalArgumentException(refusal.name() + ": " + message));
        } else {
            log.warn("refused command {} ({}): {}: {}", Results.echo(command.commandId()), where(source),
                    refusal, message);
        }
        deps.retry().succeeded();
    }

    private void deadLetter(Record<byte[], byte[]> record, RecordMetadata source, Exception error) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        DeadLetterHeaders.add(headers, error, source.topic(), source.partition(), source.offset());
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers),
                nodes.deadLetterSink());
        metrics.counter("eventflow.commands.dead.lettered").increment();
        log.warn("dead-lettered record {}: {}", where(source), error.toString());
    }

    private static String where(RecordMetadata source) {
        return source.topic() + "-" + source.partition() + "@" + source.offset();
    }
}
