package io.eventflow.bench;

import io.eventflow.e2e.Commands;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.TopicPolicy;
import io.eventflow.schemas.serde.RestSchemaRegistryClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Command-service throughput with exactly-once on, side by side with Kafka's own
 * ProducerPerformance on the same broker and the same record size, in one run.
 *
 * <p>Pre-produces N commands (per aggregate one ProcessPayment and four RefundPayments, all
 * accepted), starts the service as its own JVM with {@code -Xmx256m}, and times it from its first
 * committed offset until every command's offset is committed. Then runs ProducerPerformance.
 * Needs KAFKA_BOOTSTRAP_SERVERS and SCHEMA_REGISTRY_URL (and ELASTICSEARCH_URL for the service).
 */
public final class CommandThroughput {
    private static final int PARTITIONS = 6;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        Path serviceJar = Path.of(args.length > 1 ? args[1] : "command-service/target/command-service.jar");
        String heap = args.length > 2 ? args[2] : "256m";
        if (n < 5) {
            throw new IllegalArgumentException("the number of records must be at least 5, got " + n);
        }
        String kafka = ProcessStats.env("KAFKA_BOOTSTRAP_SERVERS");
        String registryUrl = ProcessStats.env("SCHEMA_REGISTRY_URL");
        String es = ProcessStats.env("ELASTICSEARCH_URL");
        String id = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String commands = id + "-commands";
        KafkaTopics.ensure(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka), Map.of(commands, Map.of(),
                id + "-events", TopicPolicy.events(-1), id + "-results", Map.of(), id + "-dlq", Map.of(), id + "-perf",
                Map.of()), PARTITIONS, (short) 1);

        System.out.printf("pre-producing %,d commands to %s (%d partitions)...%n", n, commands, PARTITIONS);
        double avgSize = preProduce(kafka, registryUrl, commands, n);
        System.out.printf("  average record: %.0f B value + key%n", avgSize);

        Map<String, String> config = Map.ofEntries(
                Map.entry("bootstrap.servers", kafka),
                Map.entry("application.id", id + "-command-service"),
                Map.entry("schema.registry.url", registryUrl),
                Map.entry("elasticsearch.url", es),
                Map.entry("elasticsearch.index.prefix", id + "-"),
                Map.entry("commands.topic", commands),
                Map.entry("events.topic", id + "-events"),
                Map.entry("aggregate.types", "payments"),
                Map.entry("results.topic", id + "-results"),
                Map.entry("dead.letter.topic", id + "-dlq"),
                Map.entry("metrics.port", "0"),
                Map.entry("state.dir", Path.of("bench", "target", id, "state").toAbsolutePath().toString()));
        ChildService service = new ChildService(serviceJar, heap, config, Path.of("bench", "target", id), "command-service");
        ChildService.Timing t;
        try {
            t = service.awaitCommitted(kafka, id + "-command-service", n);
        } finally {
            service.stop();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        System.out.printf("running Kafka ProducerPerformance: %,d records of %d B against the same broker...%n", n,
                Math.round(avgSize));
        double producerRate = producerPerformance(java, kafka, id + "-perf", n, (int) Math.round(avgSize));

        ProcessStats.deleteTopics(kafka, id + "-");
        System.out.println();
        System.out.println("=== command-service throughput (exactly_once_v2) ===");
        System.out.printf("commands                       : %,d (%,d aggregates; 3 records written per command: event, result, changelog)%n",
                n, n / 5);
        System.out.printf("command-service                : %,.0f commands/s (%.1f s from first commit to last; %.1f s incl. JVM start)%n",
                t.rate(), t.seconds(), t.totalSeconds());
        System.out.printf("Kafka ProducerPerformance      : %,.0f records/s (%d B records, same broker)%n", producerRate,
                Math.round(avgSize));
        System.out.printf("ratio service / producer       : %.3f%n", t.rate() / producerRate);
        System.out.printf("command-service peak RSS       : %d MiB (VmHWM, -Xmx%s)%n", t.peakRssKb() / 1024, heap);
        System.out.printf("command-service CPU            : %.2f cores on average; whole machine %.0f%% busy (%d cores)%n",
                t.cores(), t.machineBusy() * 100, Runtime.getRuntime().availableProcessors());
        System.out.printf("target 10,000 commands/s       : %s%n", t.rate() >= 10_000 ? "met" : "NOT met");
    }


    /** Sends N commands as pre-serialized bytes; returns the average key + value size. */
    private static double preProduce(String kafka, String registryUrl, String topic, int n) throws Exception {
        long bytes = 0;
        try (var registry = new RestSchemaRegistryClient(registryUrl, Duration.ofSeconds(10));
                var serializer = new AvroSerializer<CommandEnvelope>(registry, true);
                var producer = new KafkaProducer<>(Map.<String, Object>of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka, ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 262_144),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
            int aggregates = n / 5;
            for (int i = 0; i < n; i++) {
                int round = i / aggregates;
                String id = "pay-" + (i % aggregates);
                // A payment's organization is fixed when it is created: every command on it names the same one.
                String org = "org-" + (i % aggregates % 50);
                CommandEnvelope c = round == 0 ? Commands.process(id, 100_000, "EUR", org, "u-" + (i % 500), 0L)
                        : Commands.refund(id, 100, org, "u-" + (i % 500), (long) round);
                byte[] key = id.getBytes(StandardCharsets.UTF_8);
                byte[] value = serializer.serialize(topic, c);
                bytes += key.length + value.length;
                producer.send(new ProducerRecord<>(topic, key, value));
            }
            producer.flush();
        }
        return bytes / (double) n;
    }





    private static double producerPerformance(String java, String kafka, String topic, int n, int size) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "org.apache.kafka.tools.ProducerPerformance", "--topic", topic, "--num-records", String.valueOf(n),
                "--record-size", String.valueOf(size), "--throughput", "-1",
                "--producer-props", "bootstrap.servers=" + kafka, "acks=all"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Pattern summary = Pattern.compile("^\\d+ records sent, ([0-9.]+) records/sec");
        double rate = -1;
        try (var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                System.out.println("  " + line);
                Matcher m = summary.matcher(line);
                if (m.find()) {
                    rate = Double.parseDouble(m.group(1));
                }
            }
        }
        if (p.waitFor() != 0 || rate < 0) {
            throw new IllegalStateException("ProducerPerformance failed (exit " + p.exitValue() + ")");
        }
        return rate;
    }
}
