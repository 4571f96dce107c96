package io.eventflow.e2e;

import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.RestSchemaRegistryClient;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The demo's upstream service: produces payment commands (processed, failed and refunded payments
 * across several organizations and users, plus one command that must be rejected), then waits for
 * a result per command and prints a summary. Prints {@code RUN_ID=...} so bin/demo can query it.
 */
public final class DemoMain {
    private static final String[] ORGS = {"org-acme", "org-globex", "org-initech"};
    private static final String[] USERS = {"alice", "bob", "carol", "dave"};
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP"};

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
        String registryUrl = env("SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081/apis/ccompat/v7");
        String commandsTopic = env("COMMANDS_TOPIC", "payment-commands");
        String resultsTopic = env("RESULTS_TOPIC", "payment-command-results");
        String runId = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());

        var registry = new RestSchemaRegistryClient(registryUrl, Duration.ofSeconds(10));
        List<CommandEnvelope> first = new ArrayList<>();
        List<CommandEnvelope> second = new ArrayList<>();
        int n = 0;
        for (String org : ORGS) {
            for (String user : USERS) {
                n++;
                String id = "pay-" + runId + "-" + String.format("%02d", n);
                long amount = 1_000L * n + 99;
                first.add(Commands.process(id, amount, CURRENCIES[n % CURRENCIES.length], org, user, 0L));
                switch (n % 4) {
                    case 1 -> second.add(Commands.fail(id, "card declined", org, user, 1L));
                    case 2 -> second.add(Commands.refund(id, amount, org, user, 1L));
                    case 3 -> second.add(Commands.refund(id, amount / 2, org, user, 1L));
                    default -> { }
                }
            }
        }
        // One that must be rejected: refunding more than was paid.
        CommandEnvelope overRefund = Commands.refund(first.get(3).getAggregateId(), 10_000_000L, ORGS[0], USERS[3], null);
        second.add(overRefund);

        Set<String> expected = new java.util.HashSet<>();
        first.forEach(c -> expected.add(c.getCommandId()));
        second.forEach(c -> expected.add(c.getCommandId()));

        Map<String, Object> producerProps = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (var producer = new KafkaProducer<>(producerProps, new StringSerializer(), new AvroSerializer<CommandEnvelope>(registry, true));
             var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                     new StringDeserializer(), new AvroDeserializer<>(registry, CommandResult.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(resultsTopic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);

            System.out.printf("demo run %s: sending %d ProcessPayment commands to %s%n", runId, first.size(), commandsTopic);
            for (CommandEnvelope c : first) {
                producer.send(new ProducerRecord<>(commandsTopic, c.getAggregateId(), c)).get();
            }
            Map<String, CommandResult> results = await(consumer, expected, first.size(), Duration.ofSeconds(120));
            System.out.printf("  %d/%d accepted%n", count(results, CommandStatus.ACCEPTED), first.size());

            System.out.printf("sending %d follow-up commands (FailPayment, RefundPayment, one refund too large)%n", second.size());
            for (CommandEnvelope c : second) {
                producer.send(new ProducerRecord<>(commandsTopic, c.getAggregateId(), c)).get();
            }
            results.putAll(await(consumer, expected, expected.size() - results.size(), Duration.ofSeconds(120)));

            Map<String, Long> byOutcome = new TreeMap<>(results.values().stream().collect(Collectors.groupingBy(
                    r -> r.getStatus() == CommandStatus.ACCEPTED ? "accepted" : "rejected " + r.getRejection().getReason(),
                    Collectors.counting())));
            System.out.printf("all %d commands answered: %s%n", results.size(), byOutcome);
            CommandResult rejected = results.get(overRefund.getCommandId());
            System.out.printf("  the oversized refund of %s: %s %s%n", overRefund.getAggregateId(), rejected.getStatus(),
                    rejected.getRejection() == null ? "" : rejected.getRejection().getMessage());
            long events = results.values().stream().filter(r -> r.getStatus() == CommandStatus.ACCEPTED).count();
            System.out.println("RUN_ID=" + runId);
            System.out.println("EVENTS=" + events);
        }
    }

    private static Map<String, CommandResult> await(KafkaConsumer<String, CommandResult> consumer, Set<String> expected,
            int count, Duration timeout) {
        Map<String, CommandResult> got = new HashMap<>();
        Instant deadline = Instant.now().plus(timeout);
        int reported = -1;
        while (got.size() < count) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("only " + got.size() + " of " + count + " command results arrived within "
                        + timeout.toSeconds() + " s; is the command-service running? (see .local/logs/command-service.log)");
            }
            for (ConsumerRecord<String, CommandResult> r : consumer.poll(Duration.ofMillis(500))) {
                if (expected.contains(r.value().getCommandId())) {
                    got.put(r.value().getCommandId(), r.value());
                }
            }
            if (got.size() != reported) {
                reported = got.size();
                System.out.printf("  ... %d/%d results%n", got.size(), count);
            }
        }
        return got;
    }

    private static long count(Map<String, CommandResult> results, CommandStatus status) {
        return results.values().stream().filter(r -> r.getStatus() == status).count();
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
