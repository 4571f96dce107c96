package io.eventflow.command;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.eventflow.command.pipeline.CommandTopology;
import io.eventflow.command.pipeline.Idempotency;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.eventstore.EventStoreReader;
import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.SchemaRegistryClient;
import io.eventflow.schemas.serde.SerdeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command-service, wired by hand: the one place where its parts are built. Start it with
 * {@link #start}; {@link #close} stops Kafka Streams and releases the clients. Not thread-safe for
 * start/close themselves; the running service is driven by Kafka Streams' threads.
 */
public final class CommandService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommandService.class);

    private final ElasticsearchClient elasticsearch;
    private final SchemaRegistryClient registry;
    private final KafkaStreams streams;

    private CommandService(CommandServiceConfig config, Clock clock, MeterRegistry metrics) {
        this.elasticsearch = ElasticsearchClients.connect(config.getString(CommandServiceConfig.ELASTICSEARCH_URL));
        this.registry = new SerdeConfig(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL,
                config.getString(CommandServiceConfig.SCHEMA_REGISTRY_URL))).newClient();
        EventStoreReader reader = new EventStoreReader(elasticsearch,
                new EventStoreIndices(config.getString(CommandServiceConfig.INDEX_PREFIX)));
        var idempotency = new Idempotency(Duration.ofMillis(config.getLong(CommandServiceConfig.IDEMPOTENCY_WINDOW_MS)),
                config.getInt(CommandServiceConfig.IDEMPOTENCY_MAX_COMMANDS));
        var topology = CommandTopology.build(topics(config), registry, reader, idempotency, clock, metrics);
        Properties props = new Properties();
        props.putAll(config.streamsProperties());
        props.putAll(topology.streamsProperties());
        this.streams = new KafkaStreams(topology.topology(), props);
        // A failed task (the registry or Elasticsearch stayed unreachable past the retries) restarts
        // from the last committed offsets after a growing delay; nothing is skipped.
        streams.setStateListener((now, before) -> log.info("command-service state {} -> {}", before, now));
        streams.setUncaughtExceptionHandler(e -> {
            Duration delay = topology.nextRestartDelay();
            log.error("stream thread failed; replacing it in {} ms, processing resumes from the last commit",
                    delay.toMillis(), e);
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    /** Creates missing topics, then starts processing. */
    public static CommandService start(CommandServiceConfig config, Clock clock, MeterRegistry metrics) {
        Objects.requireNonNull(config, "config");
        createTopics(config);
        CommandService service = new CommandService(config, Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(metrics, "metrics"));
        service.streams.start();
        log.info("command-service started: {} -> {}, {} (dead letters: {})",
                config.getString(CommandServiceConfig.COMMANDS_TOPIC), config.getString(CommandServiceConfig.EVENTS_TOPIC),
                config.getString(CommandServiceConfig.RESULTS_TOPIC), config.getString(CommandServiceConfig.DEAD_LETTER_TOPIC));
        return service;
    }

    static CommandTopology.Topics topics(CommandServiceConfig c) {
        return new CommandTopology.Topics(c.getString(CommandServiceConfig.COMMANDS_TOPIC),
                c.getString(CommandServiceConfig.EVENTS_TOPIC), c.getString(CommandServiceConfig.RESULTS_TOPIC),
                c.getString(CommandServiceConfig.DEAD_LETTER_TOPIC));
    }

    private static void createTopics(CommandServiceConfig c) {
        var t = topics(c);
        KafkaTopics.ensure(String.join(",", c.getList(CommandServiceConfig.BOOTSTRAP_SERVERS)),
                List.of(t.commands(), t.events(), t.results(), t.deadLetters()),
                c.getInt(CommandServiceConfig.TOPIC_PARTITIONS), c.getShort(CommandServiceConfig.TOPIC_REPLICATION_FACTOR));
    }

    /** The Kafka Streams state, e.g. RUNNING once partitions are assigned. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        registry.close();
        ElasticsearchClients.close(elasticsearch);
        log.info("command-service stopped");
    }
}
