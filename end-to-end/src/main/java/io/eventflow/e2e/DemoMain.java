package io.eventflow.e2e;

import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.RestSchemaRegistryClient;
import io.eventflow.schemas.workflow.WorkflowCommandEnvelope;
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
 * across several organizations and users, plus one command that must be rejected), then workflow
 * commands (runs over two organizations: completed, failed at a step, cancelled, plus one command
 * a workflow rule refuses), waits for a result per command and prints them. Prints
 * {@code RUN_ID=...}, {@code EVENTS=...}, {@code WORKFLOW_EVENTS=...} and {@code WORKFLOW_AS_OF=...}
 * (an instant between the workflows' first and second half) so bin/demo can query them.
 */
public final class DemoMain {
    private static final String[] ORGS = {"org-acme", "org-globex", "org-initech"};
    private static final String[] USERS = {"alice", "bob", "carol", "dave"};
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP"};
    private static final String[] WORKFLOW_ORGS = {"org-acme", "org-globex"};

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
        String registryUrl = env("SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081/apis/ccompat/v7");
        String commandsTopic = env("COMMANDS_TOPIC", "payment-commands");
        String resultsTopic = env("RESULTS_TOPIC", "payment-command-results");
        String workflowCommandsTopic = env("WORKFLOW_COMMANDS_TOPIC", "workflow-commands");
        String workflowResultsTopic = env("WORKFLOW_RESULTS_TOPIC", "workflow-command-results");
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
             var consumer = resultsFromNowOn(bootstrap, registry, resultsTopic)) {

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
        workflows(bootstrap, registry, producerProps, workflowCommandsTopic, workflowResultsTopic, runId);
    }

    /**
     * Three runs per organization (completed, failed at a step, cancelled while a step runs) and one
     * command a rule refuses, in two halves: the second half is sent a moment after the first is
     * answered, so that an {@code asOf} between them shows the workflows half way.
     */
    private static void workflows(String bootstrap, RestSchemaRegistryClient registry, Map<String, Object> producerProps,
            String commandsTopic, String resultsTopic, String runId) throws Exception {
        List<WorkflowCommandEnvelope> first = new ArrayList<>();
        List<WorkflowCommandEnvelope> second = new ArrayList<>();
        for (String org : WORKFLOW_ORGS) {
            String user = org.equals(WORKFLOW_ORGS[0]) ? "alice" : "erin";
            String prefix = "wf-" + runId + "-" + org.substring("org-".length()) + "-";
            String done = prefix + "completed";
            first.add(WorkflowCommands.start(done, "nightly import", org, user, 0L));
            first.add(WorkflowCommands.startStep(done, "fetch", org, user, 1L));
            first.add(WorkflowCommands.completeStep(done, "fetch", 1_250, org, user, 2L));
            second.add(WorkflowCommands.startStep(done, "transform", org, user, 3L));
            second.add(WorkflowCommands.completeStep(done, "transform", 3_400, org, user, 4L));
            second.add(WorkflowCommands.startStep(done, "load", org, user, 5L));
            second.add(WorkflowCommands.completeStep(done, "load", 900, org, user, 6L));
            second.add(WorkflowCommands.complete(done, org, user, 7L));

            String failed = prefix + "failed";
            first.add(WorkflowCommands.start(failed, "monthly report", org, user, 0L));
            first.add(WorkflowCommands.startStep(failed, "collect", org, user, 1L));
            first.add(WorkflowCommands.completeStep(failed, "collect", 700, org, user, 2L));
            second.add(WorkflowCommands.startStep(failed, "render", org, user, 3L));
            second.add(WorkflowCommands.failStep(failed, "render", 2_100, "template not found", org, user, 4L));
            second.add(WorkflowCommands.fail(failed, "step render failed", org, user, 5L));

            String cancelled = prefix + "cancelled";
            first.add(WorkflowCommands.start(cancelled, "backfill", org, user, 0L));
            first.add(WorkflowCommands.startStep(cancelled, "scan", org, user, 1L));
            second.add(WorkflowCommands.cancel(cancelled, "superseded by a newer backfill", org, user, 2L));
        }
        // One that a workflow rule refuses: starting again a step that has completed (sent first in
        // the second half, while the workflow still runs).
        second.add(0, WorkflowCommands.startStep(first.get(0).getAggregateId(), "fetch", WORKFLOW_ORGS[0], "alice", null));

        try (var producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new AvroSerializer<WorkflowCommandEnvelope>(registry, true));
             var consumer = resultsFromNowOn(bootstrap, registry, resultsTopic)) {
            Map<String, CommandResult> results = new HashMap<>();
            System.out.printf("%nsending %d workflow commands to %s: two organizations, a completed, a failed and a "
                    + "cancelled run each (first half)%n", first.size(), commandsTopic);
            results.putAll(sendAndAwait(producer, consumer, commandsTopic, first));
            Thread.sleep(1_000);
            Instant asOf = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            Thread.sleep(1_000);
            System.out.printf("sending the second half: %d commands, one of them refused by a rule%n", second.size());
            results.putAll(sendAndAwait(producer, consumer, commandsTopic, second));

            System.out.println("workflow command results:");
            List<WorkflowCommandEnvelope> all = new ArrayList<>(first);
            all.addAll(second);
            all.sort(java.util.Comparator.comparing(WorkflowCommandEnvelope::getAggregateId));
            for (WorkflowCommandEnvelope c : all) {
                CommandResult r = results.get(c.getCommandId());
                System.out.printf("  %-40s %-16s %s%n", c.getAggregateId(), c.getPayload().getClass().getSimpleName(),
                        r.getStatus() == CommandStatus.ACCEPTED ? "ACCEPTED v" + r.getVersion()
                                : "REJECTED " + r.getRejection().getReason() + " code=" + r.getRejection().getCode()
                                        + ": " + r.getRejection().getMessage());
            }
            long events = results.values().stream().filter(r -> r.getStatus() == CommandStatus.ACCEPTED).count();
            System.out.println("WORKFLOW_EVENTS=" + events);
            System.out.println("WORKFLOW_AS_OF=" + asOf);
        }
    }

    private static Map<String, CommandResult> sendAndAwait(KafkaProducer<String, WorkflowCommandEnvelope> producer,
            KafkaConsumer<String, CommandResult> consumer, String topic, List<WorkflowCommandEnvelope> commands)
            throws Exception {
        Set<String> expected = new java.util.HashSet<>();
        for (WorkflowCommandEnvelope c : commands) {
            expected.add(c.getCommandId());
            producer.send(new ProducerRecord<>(topic, c.getAggregateId(), c)).get();
        }
        return await(consumer, expected, expected.size(), Duration.ofSeconds(120));
    }

    /** A read_committed consumer of {@code topic}, positioned at its end: it sees the results of commands sent next. */
    private static KafkaConsumer<String, CommandResult> resultsFromNowOn(String bootstrap,
            RestSchemaRegistryClient registry, String topic) {
        var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new AvroDeserializer<>(registry, CommandResult.class));
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
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
