package io.eventflow.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.command.CommandService;
import io.eventflow.command.CommandServiceConfig;
import io.eventflow.projection.Projector;
import io.eventflow.projection.ProjectorConfig;
import io.eventflow.query.AnalyticsApi;
import io.eventflow.query.AnalyticsApiConfig;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.RestSchemaRegistryClient;
import io.eventflow.schemas.workflow.WorkflowCommandEnvelope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import static org.awaitility.Awaitility.await;

/**
 * The three services, started in-process against the real servers, with topics, indices, consumer
 * groups and state of their own (a random name suffix), plus the clients a test needs.
 */
final class Pipeline implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ADMIN_KEY = "it-admin-key";

    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String commandsTopic = "it-" + id + "-commands";
    final String eventsTopic = "it-" + id + "-events";
    final String resultsTopic = "it-" + id + "-results";
    final String deadLetterTopic = "it-" + id + "-commands-dlq";
    final String indexPrefix = "it-" + id + "-";
    /** The workflow type's topics: its own, so that no test shares the default workflow-* topics. */
    final String workflowCommandsTopic = "it-" + id + "-workflow-commands";
    final String workflowEventsTopic = "it-" + id + "-workflow-events";
    final String workflowResultsTopic = "it-" + id + "-workflow-results";
    final String workflowDeadLetterTopic = "it-" + id + "-workflow-commands-dlq";

    private final TestServers servers = TestServers.get();
    private final RestSchemaRegistryClient registry = new RestSchemaRegistryClient(servers.schemaRegistry(), Duration.ofSeconds(10));
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final KafkaProducer<String, CommandEnvelope> producer;
    private final KafkaProducer<byte[], byte[]> rawProducer;
    private final KafkaProducer<String, WorkflowCommandEnvelope> workflowProducer;
    private final CommandService commandService;
    private final AnalyticsApi api;

    Pipeline() throws IOException {
        this(Map.of(), "");
    }

    /**
     * @param commandOverrides extra command-service configuration (e.g. a short idempotency window)
     * @param extraApiKeys more {@code key:organizationId} pairs for the API, comma separated, or empty
     */
    Pipeline(Map<String, String> commandOverrides, String extraApiKeys) throws IOException {
        Map<String, String> commandConfig = new java.util.HashMap<>(Map.of(
                CommandServiceConfig.BOOTSTRAP_SERVERS, servers.kafka(),
                CommandServiceConfig.APPLICATION_ID, "it-" + id + "-command-service",
                CommandServiceConfig.SCHEMA_REGISTRY_URL, servers.schemaRegistry(),
                CommandServiceConfig.ELASTICSEARCH_URL, servers.elasticsearch(),
                CommandServiceConfig.INDEX_PREFIX, indexPrefix,
                CommandServiceConfig.COMMANDS_TOPIC, commandsTopic,
                CommandServiceConfig.EVENTS_TOPIC, eventsTopic,
                CommandServiceConfig.RESULTS_TOPIC, resultsTopic,
                CommandServiceConfig.DEAD_LETTER_TOPIC, deadLetterTopic,
                CommandServiceConfig.STATE_DIR, Files.createTempDirectory("it-state-").toString()));
        commandConfig.put("workflows." + CommandServiceConfig.COMMANDS_TOPIC, workflowCommandsTopic);
        commandConfig.put("workflows." + CommandServiceConfig.EVENTS_TOPIC, workflowEventsTopic);
        commandConfig.put("workflows." + CommandServiceConfig.RESULTS_TOPIC, workflowResultsTopic);
        commandConfig.put("workflows." + CommandServiceConfig.DEAD_LETTER_TOPIC, workflowDeadLetterTopic);
        commandConfig.putAll(commandOverrides);
        commandService = CommandService.start(new CommandServiceConfig(commandConfig), Clock.systemUTC(),
                new SimpleMeterRegistry());
        closeables.add(commandService);
        closeables.add(Projector.start(new ProjectorConfig(projectorConfig())));
        api = AnalyticsApi.start(new AnalyticsApiConfig(Map.of(
                AnalyticsApiConfig.HTTP_HOST, "127.0.0.1",
                AnalyticsApiConfig.HTTP_PORT, "0",
                AnalyticsApiConfig.ELASTICSEARCH_URL, servers.elasticsearch(),
                AnalyticsApiConfig.INDEX_PREFIX, indexPrefix,
                AnalyticsApiConfig.API_KEYS, ADMIN_KEY + ":*" + (extraApiKeys.isEmpty() ? "" : "," + extraApiKeys))));
        closeables.add(api);
        Map<String, Object> producerProps = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka(),
                ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), new AvroSerializer<CommandEnvelope>(registry, true));
        rawProducer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        closeables.add(producer);
        closeables.add(rawProducer);
        workflowProducer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new AvroSerializer<WorkflowCommandEnvelope>(registry, true));
        closeables.add(workflowProducer);
        await().atMost(Duration.ofSeconds(60)).until(() -> commandService.state() == KafkaStreams.State.RUNNING);
    }

    /** The in-process projector's configuration; the rebuild tool reads the same. */
    Map<String, String> projectorConfig() {
        return Map.of(
                ProjectorConfig.BOOTSTRAP_SERVERS, servers.kafka(),
                ProjectorConfig.GROUP_ID, "it-" + id + "-projector",
                ProjectorConfig.SCHEMA_REGISTRY_URL, servers.schemaRegistry(),
                ProjectorConfig.ELASTICSEARCH_URL, servers.elasticsearch(),
                ProjectorConfig.INDEX_PREFIX, indexPrefix,
                ProjectorConfig.INDEX_REPLICAS, "0",
                ProjectorConfig.EVENTS_TOPIC, eventsTopic,
                ProjectorConfig.DEAD_LETTER_TOPIC, "it-" + id + "-events-dlq",
                // The per-type keys of the generic projector (<readModel>.events.topic, ...).
                "workflows." + ProjectorConfig.EVENTS_TOPIC, workflowEventsTopic,
                "workflows." + ProjectorConfig.DEAD_LETTER_TOPIC, "it-" + id + "-workflow-events-dlq");
    }

    /** Every event on the events topic so far, decoded, with its partition and offset. */
    List<ConsumerRecord<byte[], byte[]>> eventRecords() {
        return readAll(eventsTopic);
    }

    EventEnvelope decodeEvent(byte[] value) {
        return new AvroDeserializer<>(registry, EventEnvelope.class).deserialize(eventsTopic, value);
    }

    void send(CommandEnvelope command) throws Exception {
        producer.send(new ProducerRecord<>(commandsTopic, command.getAggregateId(), command)).get();
    }

    void sendWorkflow(WorkflowCommandEnvelope command) throws Exception {
        workflowProducer.send(new ProducerRecord<>(workflowCommandsTopic, command.getAggregateId(), command)).get();
    }

    void sendRaw(String key, byte[] value) throws Exception {
        rawProducer.send(new ProducerRecord<>(commandsTopic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value)).get();
    }

    /** The command's bytes in the wire format, as the test's producer writes them to the commands topic. */
    byte[] encode(CommandEnvelope command) {
        return new AvroSerializer<CommandEnvelope>(registry, true).serialize(commandsTopic, command);
    }

    CommandService commandService() {
        return commandService;
    }

    RestSchemaRegistryClient registry() {
        return registry;
    }

    /** Every record on a topic so far, read from the start with read_committed. */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        return new TopicReader(servers.kafka()).readAll(topic);
    }

    List<CommandResult> results() {
        var decoder = new AvroDeserializer<>(registry, CommandResult.class);
        return readAll(resultsTopic).stream().map(r -> decoder.deserialize(resultsTopic, r.value())).toList();
    }

    List<CommandResult> workflowResults() {
        var decoder = new AvroDeserializer<>(registry, CommandResult.class);
        return readAll(workflowResultsTopic).stream().map(r -> decoder.deserialize(workflowResultsTopic, r.value())).toList();
    }

    /** GET on the analytics API: status and JSON body. */
    Response get(String pathAndQuery) throws Exception {
        return get(pathAndQuery, ADMIN_KEY);
    }

    /** GET on the analytics API with an API key of the test's choice; the answer is checked against openapi.json. */
    Response get(String pathAndQuery, String apiKey) throws Exception {
        HttpResponse<String> r = OpenApiContract.send(http, HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + api.port() + pathAndQuery)).header("X-API-Key", apiKey).GET().build());
        return new Response(r.statusCode(), JSON.readTree(r.body()));
    }

    /** GET on the analytics API with the admin key, as it came: status, headers and body. */
    HttpResponse<String> getRaw(String pathAndQuery) throws Exception {
        return OpenApiContract.send(http, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                + pathAndQuery)).header("X-API-Key", ADMIN_KEY).GET().build());
    }

    record Response(int status, JsonNode body) {
    }

    @Override
    public void close() {
        TestCleanup.closeAll(closeables);
        registry.close();
        TestCleanup.deleteAll(servers.kafka(), servers.elasticsearch(), "it-" + id + "-");
    }
}
