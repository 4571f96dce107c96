package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.eventflow.command.CommandServiceConfig;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.TopicPolicy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Infrastructure faults are not bad data, on the command side, with the service as its own JVM
 * (256 MiB heap): a registry URL without its API path and a registry that answers 401 dead-letter
 * nothing and stop the service with a message naming the registry; restarted against the right
 * registry it answers every command. A length prefix far larger than the heap is bad data.
 */
class CommandFaultsIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private CommandCluster cluster;
    private HttpServer stub;

    @BeforeEach
    void setUp() {
        cluster = new CommandCluster();
    }

    @AfterEach
    void tearDown() {
        if (stub != null) {
            stub.stop(0);
        }
        cluster.close();
    }

    private String deadLetterTopic() {
        return "it-" + cluster.id + "-commands-dlq";
    }

    private void awaitStopsNaming(String name, Process process, String registryUrl) throws Exception {
        awaitStopsSaying(name, process, registryUrl, "STOPPING the command-service");
    }

    private void awaitStopsSaying(String name, Process process, String registryUrl, String... phrases) throws Exception {
        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("%s stopped by itself", name).isTrue();
        assertThat(process.exitValue()).as("exit status of %s", name).isEqualTo(1);
        String log = Files.readString(cluster.log(name));
        assertThat(log).contains(registryUrl).contains(phrases);
    }

    @Test
    void aMisconfiguredRegistryStopsTheServiceWithoutDeadLetteringAndTheRightOneProcessesEverything() throws Exception {
        KafkaTopics.ensure(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.servers.kafka()),
                Map.of(cluster.commandsTopic, Map.of(), cluster.eventsTopic, TopicPolicy.events(-1),
                        cluster.resultsTopic, Map.of()), CommandCluster.PARTITIONS, (short) -1);
        KafkaProducer<String, CommandEnvelope> producer = cluster.producer();
        int commands = 20;
        for (int i = 0; i < commands; i++) {
            String id = "pay-" + i;
            producer.send(new ProducerRecord<>(cluster.commandsTopic, id, Commands.process(id, 1_000, "EUR", "org-1", "u-1", 0L)));
        }
        producer.flush();
        Path state = Files.createTempDirectory("it-state-");
        Map<String, String> fastStop = Map.of(CommandServiceConfig.INFRASTRUCTURE_RETRY_TIMEOUT_MS, "5000");

        // The registry's base URL without /apis/ccompat/v7: every lookup is a 404 that is not "schema not found".
        String wrongPath = cluster.servers.schemaRegistry().replaceAll("/apis/ccompat/v7/?$", "");
        assertThat(wrongPath).isNotEqualTo(cluster.servers.schemaRegistry());
        var withMap = new java.util.HashMap<>(fastStop);
        withMap.put(CommandServiceConfig.SCHEMA_REGISTRY_URL, wrongPath);
        awaitStopsNaming("wrong-path", cluster.startProcess("wrong-path", state, withMap), wrongPath);

        // A registry that refuses the service's credentials.
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/", exchange -> {
            byte[] body = "{\"error_code\":40101,\"message\":\"Unauthorized\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        stub.start();
        String unauthorized = "http://127.0.0.1:" + stub.getAddress().getPort();
        withMap.put(CommandServiceConfig.SCHEMA_REGISTRY_URL, unauthorized);
        // Refused credentials are a misconfiguration no retry mends: the start-up check stops the service.
        awaitStopsSaying("unauthorized", cluster.startProcess("unauthorized", state, withMap), unauthorized,
                "command-service cannot start", "answered 401", "it needs credentials");

        assertThat(cluster.readAll(deadLetterTopic())).as("dead letters").isEmpty();
        assertThat(cluster.results()).as("results").isEmpty();

        // The right registry, a small heap, and a record whose length prefix announces ~1.9 GB.
        byte[] template = new AvroSerializer<CommandEnvelope>(cluster.registry, true).serialize(cluster.commandsTopic,
                Commands.process("pay-x", 1, "EUR", "org-1", "u-1", 0L));
        byte[] huge = BrokenRecords.lengthPrefix(template, 1_900_000_000L);
        try (var raw = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.servers.kafka()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(cluster.commandsTopic, "pay-3".getBytes(StandardCharsets.UTF_8), huge)).get();
        }
        producer.send(new ProducerRecord<>(cluster.commandsTopic, "pay-3", Commands.refund("pay-3", 10, "org-1", "u-1", 1L))).get();

        Process right = cluster.startProcess("right", state, fastStop);
        List<CommandResult> results = await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(cluster::results, r -> r.size() >= commands + 1);
        assertThat(results).hasSize(commands + 1).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(CommandStatus.ACCEPTED));
        assertThat(cluster.events()).hasSize(commands + 1);
        var letters = await().atMost(WAIT).until(() -> cluster.readAll(deadLetterTopic()), l -> !l.isEmpty());
        assertThat(letters).hasSize(1);
        assertThat(new String(letters.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("pay-3");
        assertThat(right.isAlive()).isTrue();
    }
}
