package io.eventflow.e2e;

import static org.awaitility.Awaitility.await;

import io.eventflow.command.CommandService;
import io.eventflow.command.CommandServiceConfig;
import io.eventflow.command.CommandServiceMain;
import io.eventflow.projection.ProjectorConfig;
import io.eventflow.projection.ProjectorMain;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.RestSchemaRegistryClient;
import io.eventflow.schemas.workflow.WorkflowCommandEnvelope;
import io.eventflow.schemas.workflow.WorkflowEventEnvelope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Command-service instances against the real servers, with topics, application id and state of
 * their own: in this JVM, or as separate JVM processes that a test can kill -9.
 */
final class CommandCluster implements AutoCloseable {
    static final int PARTITIONS = 6;

    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String commandsTopic = "it-" + id + "-commands";
    final String eventsTopic = "it-" + id + "-events";
    final String resultsTopic = "it-" + id + "-results";
    /** The workflow type's topics: its own, so that no test shares the default workflow-* topics. */
    final String workflowCommandsTopic = "it-" + id + "-workflow-commands";
    final String workflowEventsTopic = "it-" + id + "-workflow-events";
    final String workflowResultsTopic = "it-" + id + "-workflow-results";
    final String workflowDeadLetterTopic = "it-" + id + "-workflow-commands-dlq";
    final String indexPrefix = "it-" + id + "-";
    final TestServers servers;
    final RestSchemaRegistryClient registry;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ChildJvm jvms = new ChildJvm();

    CommandCluster() {
        this(TestServers.get());
    }

    /** Against other servers than the shared ones, e.g. a test's own Kafka cluster. */
    CommandCluster(TestServers servers) {
        this.servers = Objects.requireNonNull(servers, "servers");
        this.registry = new RestSchemaRegistryClient(servers.schemaRegistry(), Duration.ofSeconds(10));
    }

    /** The service's configuration; {@code applicationId} and {@code stateDir} vary per instance. */
    Map<String, String> config(String applicationId, Path stateDir) {
        Map<String, String> c = new HashMap<>();
        c.put(CommandServiceConfig.BOOTSTRAP_SERVERS, servers.kafka());
        c.put(CommandServiceConfig.APPLICATION_ID, applicationId);
        c.put(CommandServiceConfig.SCHEMA_REGISTRY_URL, servers.schemaRegistry());
        c.put(CommandServiceConfig.ELASTICSEARCH_URL, servers.elasticsearch());
        c.put(CommandServiceConfig.INDEX_PREFIX, indexPrefix);
        c.put(CommandServiceConfig.COMMANDS_TOPIC, commandsTopic);
        c.put(CommandServiceConfig.EVENTS_TOPIC, eventsTopic);
        c.put(CommandServiceConfig.RESULTS_TOPIC, resultsTopic);
        c.put(CommandServiceConfig.DEAD_LETTER_TOPIC, "it-" + id + "-commands-dlq");
        c.put("workflows." + CommandServiceConfig.COMMANDS_TOPIC, workflowCommandsTopic);
        c.put("workflows." + CommandServiceConfig.EVENTS_TOPIC, workflowEventsTopic);
        c.put("workflows." + CommandServiceConfig.RESULTS_TOPIC, workflowResultsTopic);
        c.put("workflows." + CommandServiceConfig.DEAD_LETTER_TOPIC, workflowDeadLetterTopic);
        c.put(CommandServiceConfig.TOPIC_PARTITIONS, String.valueOf(PARTITIONS));
        c.put(CommandServiceConfig.STATE_DIR, stateDir.toString());
        c.put(CommandServiceConfig.METRICS_PORT, "0");
        // A crashed instance's partitions move on after 6 s instead of the default 45 s.
        c.put("session.timeout.ms", "6000");
        c.put("heartbeat.interval.ms", "1500");
        return c;
    }

    String applicationId() {
        return "it-" + id + "-command-service";
    }

    /** Starts an instance in this JVM and waits until it runs. */
    CommandService start(String applicationId) throws IOException {
        CommandService service = CommandService.start(new CommandServiceConfig(config(applicationId,
                Files.createTempDirectory("it-state-"))), Clock.systemUTC(), new SimpleMeterRegistry());
        closeables.add(service);
        await().atMost(Duration.ofSeconds(60)).until(() -> service.state() == KafkaStreams.State.RUNNING);
        return service;
    }

    /** Starts an instance as its own JVM, on the test's class path, logging to target/it-logs. */
    Process startProcess(String name, Path stateDir) throws IOException {
        return startProcess(name, stateDir, Map.of());
    }

    /** As {@link #startProcess(String, Path)}, with some configuration replaced. */
    Process startProcess(String name, Path stateDir, Map<String, String> overrides) throws IOException {
        Map<String, String> c = config(applicationId(), stateDir);
        c.putAll(overrides);
        return jvms.start(CommandServiceMain.class, id + "-" + name, c);
    }

    /** A projector of this cluster's events topic, with {@code overrides}, as its own JVM. */
    Process startProjectorProcess(String name, Map<String, String> overrides) throws IOException {
        Map<String, String> c = new HashMap<>();
        c.put(ProjectorConfig.BOOTSTRAP_SERVERS, servers.kafka());
        c.put(ProjectorConfig.GROUP_ID, projectorGroupId());
        c.put(ProjectorConfig.AGGREGATE_TYPES, "payments");
        c.put(ProjectorConfig.SCHEMA_REGISTRY_URL, servers.schemaRegistry());
        c.put(ProjectorConfig.ELASTICSEARCH_URL, servers.elasticsearch());
        c.put(ProjectorConfig.INDEX_PREFIX, indexPrefix);
        c.put(ProjectorConfig.INDEX_REPLICAS, "0");
        c.put(ProjectorConfig.EVENTS_TOPIC, eventsTopic);
        c.put(ProjectorConfig.DEAD_LETTER_TOPIC, projectorDeadLetterTopic());
        c.put(ProjectorConfig.METRICS_PORT, "-1");
        // A killed worker's partitions move on after 6 s instead of 45 s.
        c.put("consumer.session.timeout.ms", "6000");
        c.put("consumer.heartbeat.interval.ms", "1500");
        c.putAll(overrides);
        return jvms.start(ProjectorMain.class, id + "-" + name, c);
    }

    String projectorGroupId() {
        return "it-" + id + "-projector";
    }

    String projectorDeadLetterTopic() {
        return "it-" + id + "-events-dlq";
    }

    /** The log of a process started with {@link #startProcess}. */
    Path log(String name) {
        return ChildJvm.log(id + "-" + name);
    }

    /** Waits until a process's log has had {@code count} lines containing {@code text}. */
    void awaitLog(String name, String text, int count) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            try (var lines = Files.lines(log(name))) {
                return lines.filter(l -> l.contains(text)).count() >= count;
            }
        });
    }

    KafkaProducer<String, CommandEnvelope> producer() {
        var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new AvroSerializer<CommandEnvelope>(registry, true));
        closeables.add(producer);
        return producer;
    }

    KafkaProducer<String, WorkflowCommandEnvelope> workflowProducer() {
        var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new AvroSerializer<WorkflowCommandEnvelope>(registry, true));
        closeables.add(producer);
        return producer;
    }

    /** Every record on a topic so far, read from the start with read_committed. */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        return new TopicReader(servers.kafka()).readAll(topic);
    }

    List<CommandResult> results() {
        var decoder = new AvroDeserializer<>(registry, CommandResult.class);
        return readAll(resultsTopic).stream().map(r -> decoder.deserialize(resultsTopic, r.value())).toList();
    }

    List<EventEnvelope> events() {
        var decoder = new AvroDeserializer<>(registry, EventEnvelope.class);
        return readAll(eventsTopic).stream().map(r -> decoder.deserialize(eventsTopic, r.value())).toList();
    }

    List<CommandResult> workflowResults() {
        var decoder = new AvroDeserializer<>(registry, CommandResult.class);
        return readAll(workflowResultsTopic).stream().map(r -> decoder.deserialize(workflowResultsTopic, r.value())).toList();
    }

    List<WorkflowEventEnvelope> workflowEvents() {
        var decoder = new AvroDeserializer<>(registry, WorkflowEventEnvelope.class);
        return readAll(workflowEventsTopic).stream().map(r -> decoder.deserialize(workflowEventsTopic, r.value())).toList();
    }

    @Override
    public void close() {
        jvms.close();
        TestCleanup.closeAll(closeables);
        registry.close();
        TestCleanup.deleteAll(servers.kafka(), servers.elasticsearch(), "it-" + id + "-");
    }
}
