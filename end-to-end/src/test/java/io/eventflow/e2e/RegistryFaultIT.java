package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.eventflow.projection.ProjectorConfig;
import io.eventflow.projection.ProjectorMain;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import io.eventflow.schemas.serde.KafkaTopics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A misconfigured or refusing schema registry is an infrastructure fault, never bad data: the
 * projector dead-letters and indexes nothing, retries for infrastructure.retry.timeout.ms, then
 * stops (exit status 1) with an error naming the registry. Restarted against the right registry
 * it projects every record. And a dead letter of a record of nearly the events topic's maximum
 * size fits in the dead-letter topic.
 */
class RegistryFaultIT {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final String API_PATH = "/apis/ccompat/v7";

    private ProjectorHarness harness;
    private final ChildJvm jvms = new ChildJvm();
    private HttpServer stub;

    @BeforeEach
    void setUp() {
        harness = new ProjectorHarness();
    }

    @AfterEach
    void tearDown() {
        jvms.close();
        if (stub != null) {
            stub.stop(0);
        }
        harness.close();
    }

    private Map<String, String> config(String registryUrl) {
        Map<String, String> c = harness.config();
        c.put(ProjectorConfig.SCHEMA_REGISTRY_URL, registryUrl);
        c.put(ProjectorConfig.INFRASTRUCTURE_RETRY_TIMEOUT_MS, "5000");
        c.put(ProjectorConfig.RETRY_BACKOFF_MAX_MS, "1000");
        return c;
    }

    /** A registry that refuses every request as Confluent's does without credentials. */
    private String unauthorizedRegistry() throws IOException {
        stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/", exchange -> {
            byte[] body = "{\"error_code\":40101,\"message\":\"Unauthorized\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(401, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        stub.start();
        return "http://127.0.0.1:" + stub.getAddress().getPort() + API_PATH;
    }

    private long deadLetterCount() {
        return new TopicReader(harness.servers.kafka()).readAll(harness.deadLetterTopic).size();
    }

    /** Runs a projector process against {@code registryUrl} until it stops by itself; returns its log. */
    private String runUntilItStops(String name, String registryUrl) throws Exception {
        Process p = jvms.start(ProjectorMain.class, harness.id + "-" + name, config(registryUrl));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> !p.isAlive());
        assertThat(p.exitValue()).as("exit status").isEqualTo(1);
        return Files.readString(ChildJvm.log(harness.id + "-" + name));
    }

    @Test
    void aMisconfiguredOrRefusingRegistryStopsTheProjectorAndDeadLettersNothing() throws Exception {
        harness.produce(60, 3, Duration.ZERO); // 60 payments, up to 3 events each, with the real registry
        String registry = harness.servers.schemaRegistry();
        assertThat(registry).endsWith(API_PATH);

        // (a) the real registry without its API path: Apicurio answers 404 without a Confluent error code
        String wrongPath = registry.substring(0, registry.length() - API_PATH.length());
        String log = runUntilItStops("wrong-path", wrongPath);
        assertThat(log).contains("ERROR").contains("schema registry " + wrongPath).contains("404")
                .contains("infrastructure.retry.timeout.ms=5000");
        assertThat(deadLetterCount()).isZero();
        assertThat(harness.eventCount()).isZero();

        // (b) a registry that answers 401
        String refusing = unauthorizedRegistry();
        log = runUntilItStops("unauthorized", refusing);
        assertThat(log).contains("ERROR").contains("schema registry " + refusing).contains("401");
        assertThat(deadLetterCount()).isZero();
        assertThat(harness.eventCount()).isZero();

        // (c) the right registry: every record projected, still nothing dead-lettered
        Process p = jvms.start(ProjectorMain.class, harness.id + "-right", config(registry));
        harness.awaitAllIndexed(WAIT);
        assertThat(harness.eventCount()).isEqualTo(harness.eventIds.size());
        assertThat(deadLetterCount()).isZero();
        assertThat(p.isAlive()).isTrue();
    }

    @Test
    void aDeadLetterOfARecordOfNearlyTheSourceTopicsMaximumSizeFits() throws Exception {
        int sourceMax;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, harness.servers.kafka()))) {
            var resource = new ConfigResource(ConfigResource.Type.TOPIC, harness.eventsTopic);
            sourceMax = Integer.parseInt(admin.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
        }
        // The harness created the dead-letter topic with the defaults: the projector must raise its limit.
        Process p = jvms.start(ProjectorMain.class, harness.id + "-big", config(harness.servers.schemaRegistry()));
        harness.produce(20, 1, Duration.ZERO);
        harness.awaitAllIndexed(WAIT);

        // Not Avro (no magic byte): bad data, 200 bytes under the topic's limit with the batch framing.
        byte[] value = new byte[sourceMax - 200];
        Arrays.fill(value, (byte) 'x');
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, harness.servers.kafka(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * sourceMax, ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(harness.eventsTopic, "big".getBytes(StandardCharsets.UTF_8), value)).get();
        }

        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> deadLetterCount() == 1);
        ConsumerRecord<byte[], byte[]> letter = new TopicReader(harness.servers.kafka()).readAll(harness.deadLetterTopic).get(0);
        assertThat(letter.value()).isEqualTo(value);
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                .contains("magic byte");
        assertThat(p.isAlive()).as("projector still running").isTrue();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, harness.servers.kafka()))) {
            var resource = new ConfigResource(ConfigResource.Type.TOPIC, harness.deadLetterTopic);
            assertThat(Integer.parseInt(admin.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value()))
                    .isEqualTo(sourceMax + KafkaTopics.DEAD_LETTER_HEADROOM);
        }
    }
}
