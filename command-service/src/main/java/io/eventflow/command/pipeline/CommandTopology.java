package io.eventflow.command.pipeline;

import io.eventflow.command.bus.CommandBus;
import io.eventflow.command.bus.LoggingMiddleware;
import io.eventflow.command.bus.MetricsMiddleware;
import io.eventflow.command.bus.Outcome;
import io.eventflow.command.payment.Decision;
import io.eventflow.command.payment.PaymentCommand;
import io.eventflow.command.payment.PaymentState;
import io.eventflow.command.payment.PaymentValidation;
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
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.kafka.streams.state.Stores;

/**
 * The command-processing topology and what Kafka Streams needs around it: the main-consumer
 * interceptor that prefetches aggregates, and the delay before a failed stream thread is replaced.
 * Build one per service with {@link #build}; thread-safe once built.
 */
public final class CommandTopology {
    private static final Logger log = LoggerFactory.getLogger(CommandTopology.class);
    static final String SOURCE = "commands";
    static final String PROCESSOR = "decide";
    static final String STATE_STORE = "payment-aggregates";
    static final String EVENTS_SINK = "events";
    static final String RESULTS_SINK = "results";
    static final String DEAD_LETTER_SINK = "dead-letters";
    /** Default of processing.deadline.ms: the longest a record blocks its thread on the registry or Elasticsearch. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(4);
    /** Default of the command-service's elasticsearch.request.timeout.ms. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(2);

    /** Topic names the topology reads and writes. */
    public record Topics(String commands, String events, String results, String deadLetters) {
    }

    private final Topology topology;
    private final Hydration hydration;
    private final TransientRetry retry;
    private volatile String lastFailure;
    private volatile boolean localStateBroken;

    private CommandTopology(Topology topology, Hydration hydration, TransientRetry retry) {
        this.topology = topology;
        this.hydration = hydration;
        this.retry = retry;
    }

    /** The payment command bus: one handler per command type, with logging, metrics and validation around each. */
    static CommandBus<PaymentState, PaymentCommand, Decision> paymentBus(MeterRegistry metrics) {
        return new CommandBus<PaymentState, PaymentCommand, Decision>()
                .use(new LoggingMiddleware<>(CommandTopology::outcome))
                .use(new MetricsMiddleware<>(metrics, CommandTopology::outcome))
                .use(new PaymentValidation())
                .register(PaymentCommand.ProcessPayment.class, Payments::process)
                .register(PaymentCommand.FailPayment.class, Payments::fail)
                .register(PaymentCommand.RefundPayment.class, Payments::refund);
    }

    static Outcome outcome(Decision d) {
        return d instanceof Decision.Rejected r ? Outcome.rejected(r.rejection().reason().name()) : Outcome.ACCEPTED;
    }

    /** States of aggregates from their indexed events; a history with a gap is an error, never guessed around. */
    static AggregateHistory fromEventStore(EventStoreReader reader) {
        return new AggregateHistory() {
            @Override
            public Map<String, PaymentState> load(Collection<String> aggregateIds) throws Exception {
                return fold(reader.histories(aggregateIds));
            }

            @Override
            public Map<String, PaymentState> load(Collection<String> aggregateIds, Duration budget) throws Exception {
                return fold(reader.histories(aggregateIds, budget));
            }
        };
    }

    private static Map<String, PaymentState> fold(Map<String, List<EventDocument>> histories) {
        Map<String, PaymentState> states = new HashMap<>();
        for (Map.Entry<String, List<EventDocument>> e : histories.entrySet()) {
            PaymentState state = PaymentState.initial(e.getKey());
            for (EventDocument doc : e.getValue()) {
                if (doc.version() != state.version() + 1) {
                    throw new IllegalStateException("event store history of " + e.getKey() + " has a gap: version "
                            + doc.version() + " after " + state.version());
                }
                state = Payments.evolve(state, AvroEdge.fromDocument(doc));
            }
            states.put(e.getKey(), state);
        }
        return states;
    }

    /**
     * What bounds the command side: the idempotency memory, and how long infrastructure faults (an
     * unreachable or misconfigured registry or Elasticsearch) are retried before the service stops.
     */
    public record Limits(Idempotency idempotency, Duration infrastructureRetryTimeout, Duration processingDeadline,
            Duration elasticsearchRequestTimeout, Duration transactionTimeout) {
        public Limits {
            Objects.requireNonNull(transactionTimeout, "transactionTimeout");
            Objects.requireNonNull(idempotency, "idempotency");
            Objects.requireNonNull(infrastructureRetryTimeout, "infrastructureRetryTimeout");
            Objects.requireNonNull(processingDeadline, "processingDeadline");
            Objects.requireNonNull(elasticsearchRequestTimeout, "elasticsearchRequestTimeout");
        }

        /** The defaults of the deadline (4 s) and of the request timeout (2 s). */
        public Limits(Idempotency idempotency, Duration infrastructureRetryTimeout) {
            this(idempotency, infrastructureRetryTimeout, DEFAULT_DEADLINE, DEFAULT_REQUEST_TIMEOUT,
                    Duration.ofSeconds(10));
        }

        /**
         * The longest wait before a failed stream thread is replaced. Kafka Streams calls the handler
         * before it aborts the failed thread's transaction, which may already hold up to the deadline's
         * worth of work: the wait fits in what is left of the transaction timeout, at least 1 s.
         */
        Duration maxRestartDelay() {
            Duration left = transactionTimeout.minus(processingDeadline.multipliedBy(2));
            return left.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : left;
        }
    }

    public static CommandTopology build(Topics topics, SchemaRegistryClient registry, EventStoreReader eventStore,
            Limits limits, Clock clock, MeterRegistry metrics) {
        return build(topics, registry, fromEventStore(eventStore), limits, clock, metrics);
    }

    static CommandTopology build(Topics topics, SchemaRegistryClient registry, AggregateHistory history,
            Idempotency idempotency, Clock clock, MeterRegistry metrics) {
        return build(topics, registry, history, new Limits(idempotency, Duration.ofMinutes(5)), clock, metrics);
    }

    static CommandTopology build(Topics topics, SchemaRegistryClient registry, AggregateHistory history,
            Limits limits, Clock clock, MeterRegistry metrics) {
        Objects.requireNonNull(topics, "topics");
        Idempotency idempotency = limits.idempotency();
        TransientRetry retry = new TransientRetry(limits.processingDeadline(), limits.infrastructureRetryTimeout(),
                limits.maxRestartDelay());
        Hydration hydration = new Hydration(history, topics.commands(), retry, limits.elasticsearchRequestTimeout(),
                metrics);
        CommandProcessing deps = new CommandProcessing(new AvroDeserializer<>(registry, CommandEnvelope.class),
                paymentBus(metrics), hydration, retry, idempotency, clock, metrics);
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.commands());
        topology.addProcessor(PROCESSOR, () -> new CommandProcessor(deps), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE),
                Serdes.String(), AggregateRecordSerde.serde()), PROCESSOR);
        topology.addSink(EVENTS_SINK, topics.events(), new StringSerializer(),
                new AvroSerializer<EventEnvelope>(registry, true), PROCESSOR);
        topology.addSink(RESULTS_SINK, topics.results(), new StringSerializer(),
                new AvroSerializer<CommandResult>(registry, true), PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetters(), new ByteArraySerializer(), new ByteArraySerializer(),
                PROCESSOR);
        return new CommandTopology(topology, hydration, retry);
    }

    public Topology topology() {
        return topology;
    }

    /** Streams properties that install the prefetching interceptor on the main consumer. */
    public Map<String, Object> streamsProperties() {
        return Map.of(
                StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG),
                HydrationPrefetchInterceptor.class.getName(),
                StreamsConfig.mainConsumerPrefix(HydrationPrefetchInterceptor.PREFETCH_CONFIG), hydration);
    }

    /**
     * What to do with a stream thread that failed. A broken state store (one that cannot be opened,
     * a checkpoint that does not parse, a value that does not decode) stops the service at once;
     * its main then restores the local state from the changelog, once, see {@link #localStateBroken}.
     * Anything else (in practice an infrastructure fault that outlasted the in-place retries) replaces
     * the thread after a growing delay, so the record is read again from the last commit and never
     * skipped, until failures have followed each other for longer than
     * {@link Limits#infrastructureRetryTimeout()}: then the service stops, loudly. Called on the
     * failed stream thread; it sleeps there for the delay.
     */
    public StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onThreadFailure(Throwable e) {
        lastFailure = rootMessage(e);
        if (isLocalStateFailure(e)) {
            localStateBroken = true;
            log.error("STOPPING the command-service: its local state cannot be opened or read ({}); it will be "
                    + "restored from the changelog if it can", rootMessage(e), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StateStoreFailure) {
                localStateBroken = true;
                log.error("STOPPING the command-service: {}. No command was answered or dead-lettered for it; "
                        + "the local state is restored from the changelog once, and the service exits if that fails "
                        + "too", t.getMessage(), e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
        }
        var lasted = retry.failedFor();
        if (lasted.isPresent()) {
            log.error("STOPPING the command-service: processing has failed for {} s without a command handled "
                    + "(infrastructure.retry.timeout.ms); last error: {}. Nothing was dead-lettered; fix the "
                    + "dependency named above (schema registry, Elasticsearch or Kafka) and restart",
                    lasted.get().toSeconds(), rootMessage(e), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        Duration delay = retry.nextRestartDelay();
        log.error("stream thread failed; replacing it in {} ms, processing resumes from the last commit: {}",
                delay.toMillis(), rootMessage(e), e);
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /**
     * Whether stream threads are failing one after another now: how long since the first failure
     * without a record handled, or empty while records are handled.
     */
    public Optional<Duration> failingFor() {
        return retry.failingFor();
    }

    /** Whether failures outlasted infrastructure.retry.timeout.ms, so the service stops. */
    public boolean gaveUp() {
        return retry.gaveUp();
    }

    /** The last stream-thread failure, in one line; null if none. */
    public String lastFailure() {
        return lastFailure;
    }

    /**
     * Whether the service stopped because its local state could not be opened or read (a corrupt
     * RocksDB file or checkpoint, a stored value that does not decode): restoring it from the
     * changelog may help.
     */
    public boolean localStateBroken() {
        return localStateBroken;
    }

    /**
     * A failure of the local state itself: a store RocksDB cannot open or read, or a checkpoint file
     * that does not parse (Kafka Streams reads those while joining the group and lets the parse
     * error through bare, so it is recognized by where it was thrown).
     */
    static boolean isLocalStateFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProcessorStateException || t instanceof RocksDBException) {
                return true;
            }
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getClassName().equals("org.apache.kafka.streams.state.internals.OffsetCheckpoint")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            if (t instanceof TransientRetry.StillUnavailableException) {
                break;
            }
            t = t.getCause();
        }
        return t.toString();
    }
}
