package io.eventflow.bench;

import io.eventflow.e2e.Commands;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.KafkaTopics;
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
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        Path serviceJar = Path.of(args.length > 1 ? args[1] : "command-service/target/command-service.jar");
        String heap = args.length > 2 ? args[2] : "256m";
        String kafka = env("KAFKA_BOOTSTRAP_SERVERS");
        String registryUrl = env("SCHEMA_REGISTRY_URL");
        String es = env("ELASTICSEARCH_URL");
        String id = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String commands = id + "-commands";
        KafkaTopics.ensure(kafka, List.of(commands, id + "-events", id + "-results", id + "-dlq", id + "-perf"),
                PARTITIONS, (short) 1);

        System.out.printf("pre-producing %,d commands to %s (%d partitions)...%n", n, commands, PARTITIONS);
        double avgSize = preProduce(kafka, registryUrl, commands, n);
        System.out.printf("  average record: %.0f B value + key%n", avgSize);

        Path dir = Files.createDirectories(Path.of("bench", "target", id));
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka);
        p.put("application.id", id + "-command-service");
        p.put("schema.registry.url", registryUrl);
        p.put("elasticsearch.url", es);
        p.put("index.prefix", id + "-");
        p.put("commands.topic", commands);
        p.put("events.topic", id + "-events");
        p.put("results.topic", id + "-results");
        p.put("dead.letter.topic", id + "-dlq");
        p.put("state.dir", dir.resolve("state").toString());
        Path props = dir.resolve("command-service.properties");
        try (Writer w = Files.newBufferedWriter(props)) {
            p.store(w, null);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap));
        String extraOpts = System.getenv("SERVICE_JAVA_OPTS"); // e.g. a JFR recording, to see what limits the rate
        if (extraOpts != null && !extraOpts.isBlank()) {
            command.addAll(List.of(extraOpts.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", serviceJar.toString(), props.toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("command-service.log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KAFKA_") || k.startsWith("ELASTICSEARCH_")
                || k.startsWith("SCHEMA_REGISTRY_"));
        long launched = System.nanoTime();
        Process service = pb.start();
        System.out.printf("command-service pid %d (-Xmx%s, exactly_once_v2), log %s%n", service.pid(), heap,
                dir.resolve("command-service.log"));

        long firstProgressNanos = 0;
        long committedAtFirst = 0;
        long cpuAtFirst = 0;
        long[] machineAtFirst = null;
        long committed = 0;
        long lastPrint = System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            while (committed < n) {
                if (!service.isAlive()) {
                    throw new IllegalStateException("command-service exited with " + service.exitValue()
                            + "; see " + dir.resolve("command-service.log"));
                }
                Thread.sleep(100);
                committed = committed(admin, id + "-command-service");
                if (firstProgressNanos == 0 && committed > 0) {
                    firstProgressNanos = System.nanoTime();
                    committedAtFirst = committed;
                    cpuAtFirst = cpuTicks(service.pid());
                    machineAtFirst = machineTicks();
                }
                if (System.nanoTime() - lastPrint > 5_000_000_000L) {
                    lastPrint = System.nanoTime();
                    System.out.printf("  %,d / %,d committed, RSS %d MiB%n", committed, n, status(service.pid(), "VmRSS") / 1024);
                }
            }
        }
        long done = System.nanoTime();
        long cpuTicks = cpuTicks(service.pid()) - cpuAtFirst;
        long[] machine = machineTicks();
        long peakRssKb = status(service.pid(), "VmHWM");
        service.destroy();
        service.waitFor();

        double seconds = (done - firstProgressNanos) / 1e9;
        double rate = (n - committedAtFirst) / seconds;
        double serviceCores = cpuTicks / (double) TICKS_PER_SECOND / seconds;
        double machineBusy = 1 - (double) (machine[1] - machineAtFirst[1]) / (machine[0] - machineAtFirst[0]);

        System.out.printf("running Kafka ProducerPerformance: %,d records of %d B against the same broker...%n", n,
                Math.round(avgSize));
        double producerRate = producerPerformance(java, kafka, id + "-perf", n, (int) Math.round(avgSize));

        System.out.println();
        System.out.println("=== command-service throughput (exactly_once_v2) ===");
        System.out.printf("commands                       : %,d (%,d aggregates; 3 records written per command: event, result, changelog)%n",
                n, n / 5);
        System.out.printf("command-service                : %,.0f commands/s (%.1f s from first commit to last; %.1f s incl. JVM start)%n",
                rate, seconds, (done - launched) / 1e9);
        System.out.printf("Kafka ProducerPerformance      : %,.0f records/s (%d B records, same broker)%n", producerRate,
                Math.round(avgSize));
        System.out.printf("ratio service / producer       : %.3f%n", rate / producerRate);
        System.out.printf("command-service peak RSS       : %d MiB (VmHWM, -Xmx%s)%n", peakRssKb / 1024, heap);
        System.out.printf("command-service CPU            : %.2f cores on average; whole machine %.0f%% busy (%d cores)%n",
                serviceCores, machineBusy * 100, Runtime.getRuntime().availableProcessors());
        System.out.printf("target 10,000 commands/s       : %s%n", rate >= 10_000 ? "met" : "NOT met");
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set; run through bench/command-throughput");
        }
        return v;
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
                CommandEnvelope c = round == 0 ? Commands.process(id, 100_000, "EUR", "org-" + (i % 50), "u-" + (i % 500), 0L)
                        : Commands.refund(id, 100, "org-" + (i % 50), "u-" + (i % 500), (long) round);
                byte[] key = id.getBytes(StandardCharsets.UTF_8);
                byte[] value = serializer.serialize(topic, c);
                bytes += key.length + value.length;
                producer.send(new ProducerRecord<>(topic, key, value));
            }
            producer.flush();
        }
        return bytes / (double) n;
    }

    private static long committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }

    /** utime + stime of a process, in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Total and idle (+iowait) clock ticks of the whole machine. */
    private static long[] machineTicks() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    /** A kB field of /proc/PID/status, e.g. VmHWM (peak RSS). */
    private static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
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
