package io.eventflow.command;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.eventflow.aggregate.AggregateIndices;
import io.eventflow.aggregate.AggregateTypes;
import io.eventflow.command.pipeline.CommandTopology;
import io.eventflow.command.pipeline.Idempotency;
import io.eventflow.eventstore.DeadLetterDepth;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventStoreReader;
import io.eventflow.eventstore.Health;
import io.eventflow.payments.Payments;
import io.eventflow.schemas.serde.Compatibility;
import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.SchemaRegistryClient;
import io.eventflow.schemas.serde.SerdeConfig;
import io.eventflow.schemas.serde.TopicPolicy;
import io.eventflow.workflows.Workflows;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command-service, wired by hand: the one place where its parts are built. Start it with
 * {@link #start}; {@link #close} stops Kafka Streams and releases the clients. Its meter registry also
 * gets Kafka Streams' metrics (Micrometer's {@link KafkaStreamsMetrics}: its threads, tasks, stores and
 * clients) and the depth of each dead-letter topic ({@link DeadLetterDepth}), both unbound on close. Not thread-safe for
 * start/close themselves; the running service is driven by Kafka Streams' threads.
 */
public final class CommandService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommandService.class);
    /**
     * The aggregate types the command-service carries: one line per type. Each runs as its own
     * sub-topology with its own topics and state store (see {@link CommandServiceConfig} for their keys).
     */
    public static final AggregateTypes AGGREGATE_TYPES = AggregateTypes.of(Payments.TYPE, Workflows.TYPE);

    private final ElasticsearchClient elasticsearch;
    private final SchemaRegistryClient registry;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final DeadLetterDepth deadLetterDepth;
    private final CommandTopology topology;
    /** Changelog partitions being restored now. */
    private final Set<TopicPartition> restoring = ConcurrentHashMap.newKeySet();
    /** Kafka's producer default for max.request.size. */
    private static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;
    private final CountDownLatch terminated = new CountDownLatch(1);

    private CommandService(CommandServiceConfig config, List<KafkaTopics.DeadLetterTopic> deadLetters, Clock clock,
            MeterRegistry metrics) {
        Duration requestTimeout = Duration.ofMillis(config.getLong(CommandServiceConfig.ELASTICSEARCH_REQUEST_TIMEOUT_MS));
        this.registry = config.registry().newCheckedClient();
        try {
            this.elasticsearch = ElasticsearchClients.connectAndCheck(config.elasticsearch(), requestTimeout);
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        EventStoreReader reader = new EventStoreReader(elasticsearch,
                AggregateIndices.of(config.getString(CommandServiceConfig.INDEX_PREFIX), AGGREGATE_TYPES));
        var idempotency = new Idempotency(Duration.ofMillis(config.getLong(CommandServiceConfig.IDEMPOTENCY_WINDOW_MS)),
                config.getInt(CommandServiceConfig.IDEMPOTENCY_MAX_COMMANDS),
                config.getInt(CommandServiceConfig.IDEMPOTENCY_MAX_BYTES));
        var limits = new CommandTopology.Limits(idempotency,
                Duration.ofMillis(config.getLong(CommandServiceConfig.INFRASTRUCTURE_RETRY_TIMEOUT_MS)),
                Duration.ofMillis(config.getLong(CommandServiceConfig.PROCESSING_DEADLINE_MS)), requestTimeout,
                Duration.ofMillis(config.transactionTimeoutMs()));
        setCompatibility(registry, config.lanes());
        var topology = CommandTopology.build(config.lanes(), registry, reader, limits, clock, metrics);
        this.topology = topology;
        Properties props = new Properties();
        props.putAll(config.streamsProperties());
        props.putAll(topology.streamsProperties());
        // A dead letter is a whole command record plus dlq.* headers: the producer must take a
        // request as large as the dead-letter topic does, or one large record stops the partition.
        int largest = DEFAULT_MAX_REQUEST_SIZE;
        for (KafkaTopics.DeadLetterTopic d : deadLetters) {
            largest = Math.max(largest, d.maxMessageBytes());
        }
        props.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), largest);
        this.streams = new KafkaStreams(topology.topology(), props);
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(metrics);
        this.deadLetterDepth = DeadLetterDepth.start(config.adminProperties(),
                deadLetters.stream().map(KafkaTopics.DeadLetterTopic::name).toList(),
                Duration.ofMillis(config.getLong(CommandServiceConfig.DEAD_LETTER_DEPTH_REFRESH_MS)), metrics);
        // A failed task (the registry or Elasticsearch stayed unreachable past the retries) restarts
        // from the last committed offsets after a growing delay; nothing is skipped. A broken state
        // store, or faults that outlast infrastructure.retry.timeout.ms, stop the service instead.
        streams.setStateListener((now, before) -> {
            log.info("command-service state {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                terminated.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(topology::onThreadFailure);
        streams.setGlobalStateRestoreListener(new StateRestoreListener() {
            @Override
            public void onRestoreStart(TopicPartition partition, String store, long startOffset, long endOffset) {
                restoring.add(partition);
                log.info("restoring {} from changelog {}: offsets {} to {}", store, partition, startOffset, endOffset);
            }

            @Override
            public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long restored) {
            }

            @Override
            public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
                restoring.remove(partition);
                log.info("restored {} from changelog {}: {} records", store, partition, totalRestored);
            }

            @Override
            public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
                restoring.remove(partition);
            }
        });
    }

    /**
     * Sets each subject's compatibility level as ADR 0010 chooses: commands and events
     * BACKWARD_TRANSITIVE (every version ever written stays readable by the newest reader), results
     * FORWARD_TRANSITIVE (older result readers read newer results). Best effort: a registry that
     * refuses it keeps its global level, and says so in the log; processing then finds out for
     * itself whether the registry is usable.
     */
    private static void setCompatibility(SchemaRegistryClient registry, List<CommandTopology.Lane> lanes) {
        for (CommandTopology.Lane lane : lanes) {
            var t = lane.topics();
            var levels = new java.util.LinkedHashMap<String, Compatibility>();
            levels.put(t.commands() + "-value", Compatibility.BACKWARD_TRANSITIVE);
            levels.put(t.events() + "-value", Compatibility.BACKWARD_TRANSITIVE);
            levels.put(t.results() + "-value", Compatibility.FORWARD_TRANSITIVE);
            levels.forEach((subject, level) -> {
                try {
                    registry.setCompatibility(subject, level);
                } catch (RuntimeException e) {
                    log.warn("could not set compatibility {} on subject {} (the registry's global level applies): {}",
                            level, subject, e.toString());
                }
            });
        }
    }

    /** Creates missing topics, then starts processing. */
    public static CommandService start(CommandServiceConfig config, Clock clock, MeterRegistry metrics) {
        Objects.requireNonNull(config, "config");
        List<KafkaTopics.DeadLetterTopic> deadLetters = createTopics(config);
        CommandService service = new CommandService(config, deadLetters, Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(metrics, "metrics"));
        service.streams.start();
        for (CommandTopology.Lane lane : config.lanes()) {
            var t = lane.topics();
            log.info("command-service started for {}: {} -> {}, {} (dead letters: {})", lane.type().names().type(),
                    t.commands(), t.events(), t.results(), t.deadLetters());
        }
        return service;
    }

    /**
     * Refuses an existing events topic that does not keep every event (unless allowed), for every
     * type, then creates the missing topics with the settings of {@link TopicPolicy}; a type's
     * dead-letter topic takes any record of its commands topic.
     */
    private static List<KafkaTopics.DeadLetterTopic> createTopics(CommandServiceConfig c) {
        List<CommandTopology.Lane> lanes = c.lanes();
        Map<String, Object> admin = c.adminProperties();
        int partitions = c.getInt(CommandServiceConfig.TOPIC_PARTITIONS);
        short rf = c.getShort(CommandServiceConfig.TOPIC_REPLICATION_FACTOR);
        int minInsync = c.getInt(CommandServiceConfig.TOPIC_MIN_INSYNC_REPLICAS);
        // First, so that a refused start creates nothing; a missing events topic passes and is created below.
        for (CommandTopology.Lane lane : lanes) {
            KafkaTopics.checkEventsTopic(admin, lane.topics().events(),
                    c.getBoolean(CommandServiceConfig.EVENTS_TOPIC_ALLOW_FINITE_RETENTION),
                    CommandServiceConfig.EVENTS_TOPIC_ALLOW_FINITE_RETENTION);
        }
        Map<String, Map<String, String>> policies = new LinkedHashMap<>();
        for (CommandTopology.Lane lane : lanes) {
            var t = lane.topics();
            policies.put(t.commands(),
                    TopicPolicy.retained(c.getLong(CommandServiceConfig.COMMANDS_TOPIC_RETENTION_MS), minInsync));
            policies.put(t.events(), TopicPolicy.events(minInsync));
            policies.put(t.results(),
                    TopicPolicy.retained(c.getLong(CommandServiceConfig.RESULTS_TOPIC_RETENTION_MS), minInsync));
        }
        KafkaTopics.ensure(admin, policies, partitions, rf);
        List<KafkaTopics.DeadLetterTopic> deadLetters = new java.util.ArrayList<>();
        for (CommandTopology.Lane lane : lanes) {
            var t = lane.topics();
            deadLetters.add(KafkaTopics.ensureDeadLetter(admin, t.deadLetters(), t.commands(), partitions, rf,
                    TopicPolicy.retained(c.getLong(CommandServiceConfig.DEAD_LETTER_TOPIC_RETENTION_MS), minInsync)));
        }
        return deadLetters;
    }

    /**
     * Blocks until the service stopped: closed, or failed for good (then {@link #state()} is ERROR).
     */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** The Kafka Streams state, e.g. RUNNING once partitions are assigned. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * The service's health for /health: live unless Kafka Streams stopped (ERROR, or shutting down)
     * or failures outlasted infrastructure.retry.timeout.ms; ready when RUNNING with no state being
     * restored and no stream thread failing. Thread-safe and quick.
     */
    public Health health() {
        KafkaStreams.State state = streams.state();
        if (topology.gaveUp()) {
            return Health.dead("processing failed for longer than " + CommandServiceConfig.INFRASTRUCTURE_RETRY_TIMEOUT_MS
                    + ": " + topology.lastFailure());
        }
        switch (state) {
            case ERROR, PENDING_ERROR, NOT_RUNNING, PENDING_SHUTDOWN:
                return Health.dead("Kafka Streams is " + state
                        + (topology.lastFailure() != null ? ": " + topology.lastFailure() : ""));
            case CREATED:
                return Health.notReady("starting");
            case REBALANCING:
                return Health.notReady(restoring.isEmpty() ? "rebalancing: partitions being assigned"
                        : "restoring state from the changelog (" + restoring.size() + " partitions)");
            default:
                break;
        }
        if (!restoring.isEmpty()) {
            return Health.notReady("restoring state from the changelog (" + restoring.size() + " partitions)");
        }
        var failing = topology.failingFor();
        if (failing.isPresent()) {
            return Health.notReady("processing has failed for " + failing.get().toSeconds() + " s, retrying: "
                    + topology.lastFailure());
        }
        return Health.UP;
    }

    /** See {@link CommandTopology#localStateBroken()}. */
    public boolean localStateBroken() {
        return topology.localStateBroken();
    }

    /** The last stream-thread failure, in one line; null if none. */
    public String lastFailure() {
        return topology.lastFailure();
    }

    /**
     * Deletes this application's local state directory, so the next start restores every store
     * from its changelog. Only once {@link #close closed}.
     */
    public void wipeLocalState() {
        streams.cleanUp();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        streamsMetrics.close();
        deadLetterDepth.close();
        registry.close();
        ElasticsearchClients.close(elasticsearch);
        log.info("command-service stopped");
    }
}
