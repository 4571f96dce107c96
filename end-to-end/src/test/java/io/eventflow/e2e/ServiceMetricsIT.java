package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventflow.command.CommandService;
import io.eventflow.command.CommandServiceConfig;
import io.eventflow.eventstore.PrometheusEndpoint;
import io.eventflow.eventstore.ServiceMetrics;
import io.eventflow.projection.ProjectorConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Each service's /metrics, scraped through the real endpoint against the real Kafka: the Kafka
 * client metrics (the projector's consumer, dead-letter producer and admin client; the
 * command-service's Kafka Streams) and the depth of each dead-letter topic, which follows the
 * records dead-lettered; closing a service takes its Kafka meters away.
 */
class ServiceMetricsIT {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final TestServers servers = TestServers.get();

    @Test
    void theProjectorsScrapeHasItsKafkaClientsAndTheRecordsInItsDeadLetterTopic() throws Exception {
        PrometheusMeterRegistry registry = ServiceMetrics.prometheus();
        try (ProjectorHarness harness = new ProjectorHarness();
                PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, 0);
                KafkaProducer<byte[], byte[]> raw = rawProducer()) {
            harness.start(registry, Map.of(ProjectorConfig.DEAD_LETTER_DEPTH_REFRESH_MS, "1000"));
            String depth = "eventflow_dead_letter_records{topic=\"" + harness.deadLetterTopic + "\"}";
            await().atMost(WAIT).until(() -> value(scrape(endpoint), depth) == 0.0);

            for (int i = 0; i < 3; i++) {
                raw.send(new ProducerRecord<>(harness.eventsTopic, ("p-" + i).getBytes(StandardCharsets.UTF_8),
                        "not avro".getBytes(StandardCharsets.UTF_8))).get();
            }

            await().atMost(WAIT).until(() -> value(scrape(endpoint), depth) == 3.0);
            String scrape = scrape(endpoint);
            assertThat(scrape).contains("eventflow_projector_dead_lettered_total 3.0",
                    "kafka_consumer_fetch_manager_records_consumed_total{", "kafka_producer_record_send_total{",
                    "kafka_admin_client_");
            assertThat(value(scrape, "kafka_producer_record_send_total{")).as("the dead-letter producer's sends")
                    .isEqualTo(3.0);
        }
        assertThat(registry.scrape()).as("the Kafka meters go with their clients")
                .doesNotContain("kafka_consumer_", "kafka_producer_", "kafka_admin_client_", "eventflow_dead_letter_");
    }

    @Test
    void theCommandServicesScrapeHasKafkaStreamsAndTheRecordsInItsDeadLetterTopic() throws Exception {
        String id = "it-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String commands = id + "commands";
        String deadLetters = id + "commands-dlq";
        PrometheusMeterRegistry registry = ServiceMetrics.prometheus();
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, 0);
                KafkaProducer<byte[], byte[]> raw = rawProducer()) {
            CommandService service = CommandService.start(new CommandServiceConfig(Map.ofEntries(
                    Map.entry(CommandServiceConfig.BOOTSTRAP_SERVERS, servers.kafka()),
                    Map.entry(CommandServiceConfig.APPLICATION_ID, id + "command-service"),
                    Map.entry(CommandServiceConfig.SCHEMA_REGISTRY_URL, servers.schemaRegistry()),
                    Map.entry(CommandServiceConfig.ELASTICSEARCH_URL, servers.elasticsearch()),
                    Map.entry(CommandServiceConfig.INDEX_PREFIX, id),
                    Map.entry(CommandServiceConfig.AGGREGATE_TYPES, "payments"),
                    Map.entry(CommandServiceConfig.COMMANDS_TOPIC, commands),
                    Map.entry(CommandServiceConfig.EVENTS_TOPIC, id + "events"),
                    Map.entry(CommandServiceConfig.RESULTS_TOPIC, id + "results"),
                    Map.entry(CommandServiceConfig.DEAD_LETTER_TOPIC, deadLetters),
                    Map.entry(CommandServiceConfig.DEAD_LETTER_DEPTH_REFRESH_MS, "1000"),
                    Map.entry(CommandServiceConfig.STATE_DIR, Files.createTempDirectory("it-state-").toString()))),
                    Clock.systemUTC(), registry);
            try {
                await().atMost(WAIT).until(() -> service.state() == KafkaStreams.State.RUNNING);
                String depth = "eventflow_dead_letter_records{topic=\"" + deadLetters + "\"}";
                await().atMost(WAIT).until(() -> value(scrape(endpoint), depth) == 0.0);

                for (int i = 0; i < 2; i++) {
                    raw.send(new ProducerRecord<>(commands, ("p-" + i).getBytes(StandardCharsets.UTF_8),
                            "not avro".getBytes(StandardCharsets.UTF_8))).get();
                }

                // Written in transactions: each commit marker takes an offset too (at most one per record here).
                await().atMost(WAIT).until(() -> value(scrape(endpoint), depth) >= 2.0);
                String scrape = scrape(endpoint);
                assertThat(value(scrape, depth)).isBetween(2.0, 4.0);
                assertThat(scrape).contains("eventflow_commands_dead_lettered_total 2.0", "kafka_stream_thread_",
                        "kafka_consumer_", "kafka_producer_", "kafka_admin_client_");
            } finally {
                service.close();
            }
            assertThat(registry.scrape()).as("the Kafka meters go with their clients")
                    .doesNotContain("kafka_stream_", "kafka_consumer_", "kafka_admin_client_", "eventflow_dead_letter_");
        } finally {
            TestCleanup.deleteAll(servers.kafka(), servers.elasticsearch(), id);
        }
    }

    private KafkaProducer<byte[], byte[]> rawProducer() {
        return new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static String scrape(PrometheusEndpoint endpoint) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The value of the first sample whose line starts with {@code prefix}; NaN when there is none. */
    private static double value(String scrape, String prefix) {
        Matcher m = Pattern.compile("^" + Pattern.quote(prefix) + "\\S* (\\S+)$", Pattern.MULTILINE).matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
