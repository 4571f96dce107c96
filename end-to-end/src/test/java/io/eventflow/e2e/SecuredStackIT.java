package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.command.CommandServiceMain;
import io.eventflow.projection.ProjectorCli;
import io.eventflow.projection.ProjectorMain;
import io.eventflow.query.AnalyticsApiMain;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.RestSchemaRegistryClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The whole pipeline on a secured stack, as production runs it: Kafka with SASL/PLAIN and ACLs,
 * Elasticsearch with security and TLS on HTTP (a CA generated for this run), a schema registry
 * behind basic authentication. Each service runs as its own JVM with least privilege: a Kafka user
 * with only the ACLs the README lists, and an Elasticsearch file-realm user with a role of its own
 * (bin/stack's roles.yml) whose password comes from the config file (command-service), a file
 * through a config provider (projector) or the environment (analytics API). API keys cannot be
 * created on this minimal node (its .security index needs the analysis-common module), so their
 * header is covered by {@code ElasticsearchClientsTest}. Then: commands, projection, the API, a
 * rebuild and a command hydrated from the rebuilt index; no secret in any log; and a wrong
 * credential stops a service at start-up with a message that names the key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class SecuredStackIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COMMAND_USER = "eventflow-command";
    private static final String PROJECTOR_USER = "eventflow-projector";
    private static final String UPSTREAM_USER = "eventflow-upstream";
    private static final String ANALYTICS_USER = "eventflow-analytics";
    private static final String API_ADMIN_KEY = "sit-admin-key-" + UUID.randomUUID();

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String prefix = "sit-" + id + "-";
    private final String commands = prefix + "payment-commands";
    private final String events = prefix + "payment-events";
    private final String results = prefix + "payment-results";
    private final String commandsDlq = prefix + "payment-commands-dlq";
    private final String eventsDlq = prefix + "payment-events-dlq";
    private final String applicationId = prefix + "command-service";
    private final String groupId = prefix + "projector";
    private final String registryUser = "sit-registry";
    private final String registryPassword = "reg-" + UUID.randomUUID();

    private LocalSecureStack stack;
    private AuthenticatingProxy registry;
    private Path secrets;
    private final List<String> allSecrets = new ArrayList<>();

    @BeforeAll
    void secureStack() throws Exception {
        stack = new LocalSecureStack("secured-stack", prefix + "*");
        registry = new AuthenticatingProxy(TestServers.get().schemaRegistry(), registryUser, registryPassword);
        grantKafkaAcls();
        secrets = Files.createTempDirectory("sit-secrets-");
        Files.writeString(secrets.resolve("es-password"), stack.esPassword(PROJECTOR_USER));
        Properties registryFile = new Properties();
        registryFile.setProperty("user.info", registryUser + ":" + registryPassword);
        try (var w = Files.newBufferedWriter(secrets.resolve("registry.properties"))) {
            registryFile.store(w, null);
        }
        allSecrets.addAll(List.of(registryPassword, stack.esAdminPassword(), stack.esPassword(COMMAND_USER),
                stack.esPassword(PROJECTOR_USER), stack.esPassword(ANALYTICS_USER),
                stack.kafkaAdminPassword(), stack.kafkaPassword(COMMAND_USER), stack.kafkaPassword(PROJECTOR_USER),
                stack.kafkaPassword(UPSTREAM_USER), API_ADMIN_KEY,
                Base64.getEncoder().encodeToString((registryUser + ":" + registryPassword).getBytes(StandardCharsets.UTF_8)),
                basic(COMMAND_USER, stack.esPassword(COMMAND_USER)), basic(PROJECTOR_USER, stack.esPassword(PROJECTOR_USER)),
                basic(ANALYTICS_USER, stack.esPassword(ANALYTICS_USER))));
        assertThat(allSecrets).allSatisfy(s -> assertThat(s).hasSizeGreaterThan(8));
    }

    @AfterAll
    void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void thePipelineRunsOnTheSecuredStackWithLeastPrivilegeAndLogsNoSecret() throws Exception {
        int apiPort = LocalSecureStack.freePort();
        try (ChildJvm jvms = new ChildJvm()) {
            jvms.start(CommandServiceMain.class, prefix + "command-service", commandServiceConfig(
                    stack.kafkaPassword(COMMAND_USER), stack.esPassword(COMMAND_USER), registryAuthFromFile()));
            try (Admin admin = Admin.create(stack.kafkaClient("admin", stack.kafkaAdminPassword()))) {
                await().atMost(Duration.ofSeconds(120)).until(() -> admin.listTopics().names().get()
                        .containsAll(List.of(commands, events, results, commandsDlq)));
            }
            jvms.start(ProjectorMain.class, prefix + "projector", projectorConfig());
            jvms.start(AnalyticsApiMain.class, prefix + "analytics-api", analyticsConfig(apiPort),
                    Map.of("ELASTICSEARCH_PASSWORD", stack.esPassword(ANALYTICS_USER)));

            // Upstream: may only write commands, through the authenticated registry.
            int n = 20;
            try (var upstream = upstreamProducer()) {
                for (int i = 0; i < n; i++) {
                    upstream.send(new ProducerRecord<>(commands, "sit-pay-" + i, io.eventflow.e2e.Commands.process(
                            "sit-pay-" + i, 1_000 + i, "EUR", "org-" + (i % 2), "user-1", 0L))).get();
                }
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> results().size() >= n);
            assertThat(results()).extracting(CommandResult::getStatus).containsOnly(CommandStatus.ACCEPTED);

            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(120)).until(() -> get(http, apiPort, "/payments?size=100")
                    .path("total").asLong(-1) == n);
            JsonNode payment = get(http, apiPort, "/payments/sit-pay-3");
            assertThat(payment.path("status").asText()).isEqualTo("processed");
            assertThat(payment.path("amount").asLong()).isEqualTo(1_003);

            // A rebuild of the event store, with the projector's own least-privileged credentials.
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            Map<String, String> cli = new HashMap<>(projectorConfig());
            cli.put("metrics.port", "-1");
            int status = ProjectorCli.execute(cli, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true),
                    "rebuild", "events", "--progress-interval-ms", "500");
            assertThat(status).as("rebuild output:\n%s\n%s", out, err).isZero();
            JsonNode alias = stack.esAdmin("GET", "/_alias/" + prefix + "events", null);
            assertThat(alias.fieldNames()).toIterable().singleElement().asString().endsWith("-v2");

            // The command side hydrates from the rebuilt index: a refund at version 2 is accepted.
            try (var upstream = upstreamProducer()) {
                upstream.send(new ProducerRecord<>(commands, "sit-pay-3",
                        io.eventflow.e2e.Commands.refund("sit-pay-3", 3, "org-1", "user-1", 1L))).get();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> results().size() == n + 1);
            CommandResult refund = results().get(n);
            assertThat(refund.getStatus()).as(String.valueOf(refund)).isEqualTo(CommandStatus.ACCEPTED);
            assertThat(refund.getVersion()).isEqualTo(2L);
            await().atMost(Duration.ofSeconds(60)).until(() -> get(http, apiPort, "/aggregates/sit-pay-3/events")
                    .path("events").size() == 2);

            assertThat(registry.forwarded.get()).as("registry requests with the right credentials").isPositive();
            assertThat(registry.refused.get()).as("registry requests without them").isZero();
            List<Path> logs = List.of(ChildJvm.log(prefix + "command-service"), ChildJvm.log(prefix + "projector"),
                    ChildJvm.log(prefix + "analytics-api"));
            String everything = String.join("\n", Files.readString(logs.get(0)), Files.readString(logs.get(1)),
                    Files.readString(logs.get(2)), out.toString(), err.toString());
            assertThat(everything).contains("authenticated as " + PROJECTOR_USER, "authenticated as " + COMMAND_USER,
                    "authenticated as " + ANALYTICS_USER);
            assertThat(allSecrets).allSatisfy(secret -> assertThat(everything).as("logs hold a secret").doesNotContain(secret));
        }
    }

    @Test
    void aServiceRefusesToStartWithAClearMessageWhenACredentialIsWrong() throws Exception {
        try (ChildJvm jvms = new ChildJvm()) {
            Process api = jvms.start(AnalyticsApiMain.class, prefix + "api-wrong-es-password",
                    analyticsConfig(LocalSecureStack.freePort()), Map.of("ELASTICSEARCH_PASSWORD", "not-the-password"));
            assertStops(api, prefix + "api-wrong-es-password",
                    "refused the credentials (401): check elasticsearch.username/elasticsearch.password");

            Map<String, String> wrongKafka = commandServiceConfig("not-the-password", stack.esPassword(COMMAND_USER),
                    registryAuthFromFile());
            Process command = jvms.start(CommandServiceMain.class, prefix + "command-wrong-kafka", wrongKafka);
            assertStops(command, prefix + "command-wrong-kafka", "Authentication failed");
            assertThat(Files.readString(ChildJvm.log(prefix + "command-wrong-kafka")))
                    .contains("Kafka refused the credentials: check security.protocol, sasl.mechanism and sasl.jaas.config");

            int refusedBefore = registry.refused.get();
            Map<String, String> wrongRegistry = new HashMap<>(projectorConfig());
            wrongRegistry.put("schema.registry.url", registry.url().replace("http://", "http://" + registryUser + ":nope@"));
            Process projector = jvms.start(ProjectorMain.class, prefix + "projector-wrong-registry", wrongRegistry);
            assertStops(projector, prefix + "projector-wrong-registry",
                    "the credentials were refused: check basic.auth.user.info");
            assertThat(registry.refused.get()).isGreaterThan(refusedBefore);
        }
    }

    private static void assertStops(Process process, String name, String message) throws Exception {
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as(name + " still running").isTrue();
        assertThat(process.exitValue()).as(name + " exit status").isNotZero();
        assertThat(Files.readString(ChildJvm.log(name))).contains(message);
    }

    private Map<String, String> kafkaKeys(String user, String password) {
        return Map.of("bootstrap.servers", stack.bootstrapServers(), "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN", "sasl.jaas.config", LocalSecureStack.jaas(user, password));
    }

    private Map<String, String> registryAuthFromFile() {
        return Map.of("schema.registry.url", registry.url(), "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "${file:" + secrets.resolve("registry.properties") + ":user.info}");
    }

    private static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, String> commandServiceConfig(String kafkaPassword, String esPassword, Map<String, String> registryKeys)
            throws Exception {
        Map<String, String> c = new HashMap<>(kafkaKeys(COMMAND_USER, kafkaPassword));
        c.putAll(registryKeys);
        c.putAll(Map.of("application.id", applicationId, "aggregate.types", "payments",
                "payments.commands.topic", commands, "payments.events.topic", events,
                "payments.results.topic", results, "payments.dead.letter.topic", commandsDlq,
                "state.dir", Files.createTempDirectory("sit-state-").toString(), "metrics.port", "0",
                "elasticsearch.index.prefix", prefix));
        c.putAll(Map.of("elasticsearch.url", stack.elasticsearchUrl(), "elasticsearch.username", COMMAND_USER,
                "elasticsearch.password", esPassword, "elasticsearch.ssl.certificate.authorities", stack.caFile().toString()));
        return c;
    }

    private Map<String, String> projectorConfig() {
        Map<String, String> c = new HashMap<>(kafkaKeys(PROJECTOR_USER, stack.kafkaPassword(PROJECTOR_USER)));
        // Credentials in the URL: Confluent's default basic.auth.credentials.source=URL.
        c.put("schema.registry.url", registry.url().replace("http://", "http://" + registryUser + ":" + registryPassword + "@"));
        c.putAll(Map.of("group.id", groupId, "aggregate.types", "payments", "payments.events.topic", events,
                "payments.dead.letter.topic", eventsDlq, "metrics.port", "0", "elasticsearch.index.prefix", prefix,
                "elasticsearch.index.replicas", "0"));
        // Two URLs of the same node; the password from a file through Kafka's directory config provider.
        c.putAll(Map.of("elasticsearch.url", stack.elasticsearchUrl() + ",https://localhost:" + stack.elasticsearchPort(),
                "elasticsearch.username", PROJECTOR_USER,
                "elasticsearch.password", "${directory:" + secrets + ":es-password}",
                "elasticsearch.ssl.certificate.authorities", stack.caFile().toString()));
        return c;
    }

    private Map<String, String> analyticsConfig(int port) throws Exception {
        return Map.of("http.host", "127.0.0.1", "http.port", String.valueOf(port), "metrics.port", "-1",
                "api.keys", API_ADMIN_KEY + ":*", "elasticsearch.url", stack.elasticsearchUrl(),
                "elasticsearch.username", ANALYTICS_USER,
                "elasticsearch.ssl.ca.fingerprint", stack.caFingerprint(), "elasticsearch.index.prefix", prefix);
    }

    private KafkaProducer<String, CommandEnvelope> upstreamProducer() {
        Map<String, Object> props = new HashMap<>(stack.kafkaClient(UPSTREAM_USER, stack.kafkaPassword(UPSTREAM_USER)));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        var client = new RestSchemaRegistryClient(registry.url(), Duration.ofSeconds(10), Optional.of("Basic "
                + Base64.getEncoder().encodeToString((registryUser + ":" + registryPassword).getBytes(StandardCharsets.UTF_8))),
                Optional.empty());
        return new KafkaProducer<>(props, new StringSerializer(), new AvroSerializer<CommandEnvelope>(client, true));
    }

    /** The results topic, read as the admin, in the order they were written. */
    private List<CommandResult> results() {
        var decoder = new AvroDeserializer<>(new RestSchemaRegistryClient(TestServers.get().schemaRegistry(),
                Duration.ofSeconds(10)), CommandResult.class);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(
                new TopicReader(stack.kafkaClient("admin", stack.kafkaAdminPassword())).readAll(results));
        records.sort(java.util.Comparator.comparing(ConsumerRecord::timestamp));
        return records.stream().map(r -> decoder.deserialize(results, r.value())).toList();
    }

    private static JsonNode get(HttpClient http, int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-API-Key", API_ADMIN_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : JSON.createObjectNode();
    }

    /** Least privilege on Kafka, as the README lists it: nothing but these ACLs. */
    private void grantKafkaAcls() throws Exception {
        List<AclBinding> acls = new ArrayList<>();
        String command = "User:" + COMMAND_USER;
        allow(acls, command, ResourceType.TOPIC, commands, PatternType.LITERAL,
                AclOperation.READ, AclOperation.DESCRIBE, AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS);
        for (String topic : List.of(events, results)) {
            allow(acls, command, ResourceType.TOPIC, topic, PatternType.LITERAL,
                    AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS);
        }
        allow(acls, command, ResourceType.TOPIC, commandsDlq, PatternType.LITERAL, AclOperation.WRITE,
                AclOperation.DESCRIBE, AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
        allow(acls, command, ResourceType.TOPIC, applicationId + "-", PatternType.PREFIXED, AclOperation.ALL);
        allow(acls, command, ResourceType.GROUP, applicationId, PatternType.LITERAL, AclOperation.READ);
        allow(acls, command, ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED, AclOperation.WRITE);
        allow(acls, command, ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.DESCRIBE_CONFIGS);

        String projector = "User:" + PROJECTOR_USER;
        allow(acls, projector, ResourceType.TOPIC, events, PatternType.LITERAL,
                AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
        allow(acls, projector, ResourceType.TOPIC, eventsDlq, PatternType.LITERAL, AclOperation.WRITE,
                AclOperation.DESCRIBE, AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
        allow(acls, projector, ResourceType.GROUP, groupId, PatternType.PREFIXED,
                AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE);
        allow(acls, projector, ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.DESCRIBE_CONFIGS);

        allow(acls, "User:" + UPSTREAM_USER, ResourceType.TOPIC, commands, PatternType.LITERAL,
                AclOperation.WRITE, AclOperation.DESCRIBE);
        try (Admin admin = Admin.create(stack.kafkaClient("admin", stack.kafkaAdminPassword()))) {
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void allow(List<AclBinding> acls, String principal, ResourceType type, String name,
            PatternType pattern, AclOperation... operations) {
        for (AclOperation op : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
        }
    }
}
