package io.eventflow.command.pipeline;

import io.eventflow.aggregate.AggregateNames;
import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.Decision;
import io.eventflow.aggregate.Domain;
import io.eventflow.aggregate.Histories;
import io.eventflow.command.bus.CommandBus;
import io.eventflow.command.bus.LoggingMiddleware;
import io.eventflow.command.bus.MetricsMiddleware;
import io.eventflow.command.bus.Outcome;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.EventStoreReader;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.Stores;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command-processing topology and what Kafka Streams needs around it: the main-consumer
 * interceptor that prefetches aggregates, and the delay before a failed stream thread is replaced.
 * One sub-topology per aggregate type: its commands topic, the {@code decide} processor, its state
 * store {@code <topicBase>-aggregates}, and sinks to its events, results and dead-letter topics;
 * every node name starts with the type's topic base.
 * Build one per service with {@link #build}; thread-safe once built.
 */
public final class CommandTopology {
    private static final Logger log = LoggerFactory.getLogger(CommandTopology.class);
    /** Default of processing.deadline.ms: the longest a record blocks its thread on the registry or Elasticsearch. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(4);
    /** Default of the command-service's elasticsearch.request.timeout.ms. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(2);

    /** Topic names one aggregate type's sub-topology reads and writes; all distinct. */
    public record Topics(String commands, String events, String results, String deadLetters) {
        public Topics {
            Objects.requireNonNull(commands, "commands");
            Objects.requireNonNull(events, "events");
            Objects.requireNonNull(results, "results");
            Objects.requireNonNull(deadLetters, "deadLetters");
        }

        /** The four names, in the order of the components. */
        public List<String> all() {
            return List.of(commands, events, results, deadLetters);
        }
    }

    /** One aggregate type the service runs, with its topics. */
    public record Lane(AggregateType<?, ?, ?> type, Topics topics) {
        public Lane {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(topics, "topics");
        }
    }

    /** One aggregate type with its topics and where its history comes from (tests give their own). */
    record Route<S>(AggregateType<S, ?, ?> type, Topics topics, AggregateHistory<S> history) {
    }

    private final Topology topology;
    private final Consumer<ConsumerRecords<byte[], byte[]>> prefetch;
    private final TransientRetry retry;
    private volatile String lastFailure;
    private volatile boolean localStateBroken;

    private CommandTopology(Topology topology, Consumer<ConsumerRecords<byte[], byte[]>> prefetch,
            TransientRetry retry) {
        this.topology = topology;
        this.prefetch = prefetch;
        this.retry = retry;
    }

    /** The name of a type's state store, {@code <topicBase>-aggregates}: payments keep {@code payment-aggregates}. */
    static String storeName(AggregateNames names) {
        return names.topicBase() + "-aggregates";
    }

    /** A node of a type's sub-topology: prefixed with its topic base, so every type's nodes are distinct. */
    static String node(AggregateNames names, String role) {
        return names.topicBase() + "-" + role;
    }

    /**
     * A type's command bus: one handler per command type (from {@link Domain#handlers}), with logging,
     * metrics and the generic validation around each.
     */
    static <S, C, E> CommandBus<S, C, Decision<E>> bus(Domain<S, C, E> domain, MeterRegistry metrics) {
        CommandBus<S, C, Decision<E>> bus = new CommandBus<S, C, Decision<E>>()
                .use(new LoggingMiddleware<>(CommandTopology::outcome))
                .use(new MetricsMiddleware<>(metrics, CommandTopology::outcome))
                .use(new GenericValidation<>(domain));
        domain.handlers(new Domain.Handlers<>() {
            @Override
            public <T extends C> Domain.Handlers<S, C, E> on(Class<T> type,
                    java.util.function.BiFunction<S, T, Decision<E>> handler) {
                bus.register(type, handler);
                return this;
            }
        });
        return bus;
    }

    static Outcome outcome(Decision<?> d) {
        return d instanceof Decision.Rejected<?> r ? Outcome.rejected(r.rejection().code()) : Outcome.ACCEPTED;
    }

    /**
     * States of one type's aggregates from their indexed events (only that type's: ids may repeat
     * across types); a history with a gap is an error, never guessed around.
     */
    static <S> AggregateHistory<S> fromEventStore(EventStoreReader reader, AggregateType<S, ?, ?> type) {
        String name = type.names().type();
        return new AggregateHistory<>() {
            @Override
            public Map<String, S> load(Collection<String> aggregateIds) throws Exception {
                return fold(type, reader.histories(name, aggregateIds));
            }

            @Override
            public Map<String, S> load(Collection<String> aggregateIds, Duration budget) throws Exception {
                return fold(type, reader.histories(name, aggregateIds, budget));
            }
        };
    }

    private static <S> Map<String, S> fold(AggregateType<S, ?, ?> type, Map<String, List<EventDocument>> histories) {
        Map<String, S> states = new HashMap<>();
        for (Map.Entry<String, List<EventDocument>> e : histories.entrySet()) {
            states.put(e.getKey(), Histories.fold(type, e.getKey(), e.getValue()));
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

    /**
     * One sub-topology per aggregate type in one {@link Topology}.
     *
     * @throws IllegalArgumentException when two lanes share a type or a topic name
     */
    public static CommandTopology build(List<Lane> lanes, SchemaRegistryClient registry, EventStoreReader eventStore,
            Limits limits, Clock clock, MeterRegistry metrics) {
        List<Route<?>> routes = new ArrayList<>();
        for (Lane lane : lanes) {
            routes.add(route(lane.type(), lane.topics(), eventStore));
        }
        return build(routes, registry, limits, clock, metrics);
    }

    private static <S> Route<S> route(AggregateType<S, ?, ?> type, Topics topics, EventStoreReader eventStore) {
        return new Route<>(type, topics, fromEventStore(eventStore, type));
    }

    static CommandTopology build(List<Route<?>> routes, SchemaRegistryClient registry, Limits limits, Clock clock,
            MeterRegistry metrics) {
        Objects.requireNonNull(routes, "routes");
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("no aggregate type to run");
        }
        Set<String> types = new HashSet<>();
        Set<String> topics = new HashSet<>();
        for (Route<?> r : routes) {
            if (!types.add(r.type().names().type()) || !types.add("base " + r.type().names().topicBase())) {
                throw new IllegalArgumentException("aggregate type " + r.type().names().type() + " is wired twice");
            }
            for (String t : r.topics().all()) {
                if (!topics.add(t)) {
                    throw new IllegalArgumentException("topic " + t + " is used twice (aggregate type "
                            + r.type().names().type() + "); every type's topics are distinct");
                }
            }
        }
        TransientRetry retry = new TransientRetry(limits.processingDeadline(), limits.infrastructureRetryTimeout(),
                limits.maxRestartDelay());
        PollBudget budget = new PollBudget();
        List<Hydration<?>> hydrations = new ArrayList<>();
        Topology topology = new Topology();
        for (Route<?> r : routes) {
            hydrations.add(addLane(topology, r, registry, limits, retry, budget, clock, metrics));
        }
        List<Hydration<?>> all = List.copyOf(hydrations);
        return new CommandTopology(topology, records -> PollBudget.onPoll(budget, all, records), retry);
    }

    private static <S> Hydration<S> addLane(Topology topology, Route<S> route, SchemaRegistryClient registry,
            Limits limits, TransientRetry retry, PollBudget budget, Clock clock, MeterRegistry metrics) {
        return addLane(topology, route.type(), route, registry, limits, retry, budget, clock, metrics);
    }

    private static <S, C, E> Hydration<S> addLane(Topology topology, AggregateType<S, C, E> type, Route<S> route,
            SchemaRegistryClient registry, Limits limits, TransientRetry retry, PollBudget budget, Clock clock,
            MeterRegistry metrics) {
        AggregateNames names = type.names();
        Topics topics = route.topics();
        Hydration<S> hydration = new Hydration<>(route.history(), type.domain()::initial, topics.commands(), retry,
                limits.elasticsearchRequestTimeout(), budget, metrics);
        String source = node(names, "commands");
        String processor = node(names, "decide");
        var nodes = new CommandProcessing.Nodes(storeName(names), node(names, "events"), node(names, "results"),
                node(names, "dead-letters"));
        var serde = new AggregateRecordSerde<>(type.stateCodec());
        CommandProcessing<S, C, E> deps = new CommandProcessing<>(type,
                new AvroDeserializer<SpecificRecord>(registry, envelopeClass(type.avro().commandEnvelope())),
                bus(type.domain(), metrics), hydration, serde, nodes, retry, limits.idempotency(), clock, metrics);
        topology.addSource(source, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.commands());
        topology.addProcessor(processor, () -> new CommandProcessor<>(deps), source);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(nodes.store()),
                Serdes.String(), serde.serde()), processor);
        topology.addSink(nodes.eventsSink(), topics.events(), new StringSerializer(),
                new AvroSerializer<SpecificRecord>(registry, true), processor);
        topology.addSink(nodes.resultsSink(), topics.results(), new StringSerializer(),
                new AvroSerializer<CommandResult>(registry, true), processor);
        topology.addSink(nodes.deadLetterSink(), topics.deadLetters(), new ByteArraySerializer(),
                new ByteArraySerializer(), processor);
        return hydration;
    }

    @SuppressWarnings("unchecked")
    private static Class<SpecificRecord> envelopeClass(Class<? extends SpecificRecord> c) {
        return (Class<SpecificRecord>) c;
    }

    public Topology topology() {
        return topology;
    }

    /** Streams properties that install the prefetching interceptor on the main consumer. */
    public Map<String, Object> streamsProperties() {
        return Map.of(
                StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG),
                HydrationPrefetchInterceptor.class.getName(),
                StreamsConfig.mainConsumerPrefix(HydrationPrefetchInterceptor.PREFETCH_CONFIG), prefetch);
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
