package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.eventflow.command.CommandService;
import io.eventflow.command.CommandServiceConfig;
import io.eventflow.command.CommandServiceMain;
import io.eventflow.projection.Projector;
import io.eventflow.projection.ProjectorCli;
import io.eventflow.projection.ProjectorConfig;
import io.eventflow.projection.ProjectorMain;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * The topics keep what they must: the services create the events topic with unlimited retention
 * and the others with their documented retention; they refuse to start on an events topic that
 * drops events, unless allowed; and a rebuild refuses a topic whose start was deleted.
 */
class TopicRetentionIT {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String SEVEN_DAYS = "604800000";
    private static final String THIRTY_DAYS = "2592000000";

    private final TestServers servers = TestServers.get();

    @Test
    void theServicesCreateTheEventsTopicToKeepEveryEventAndTheOthersWithTheirRetention() throws Exception {
        try (Pipeline p = new Pipeline(Map.of(CommandServiceConfig.TOPIC_MIN_INSYNC_REPLICAS, "1"), "");
                Admin admin = admin()) {
            Map<String, String> events = configs(admin, p.eventsTopic);
            assertThat(events).containsEntry("cleanup.policy", "delete").containsEntry("retention.ms", "-1")
                    .containsEntry("retention.bytes", "-1").containsEntry("min.insync.replicas", "1");
            // set on the topic itself, not inherited from the broker (whose defaults are -1 and 1 here too)
            assertThat(topicLevel(admin, p.eventsTopic))
                    .contains("cleanup.policy", "retention.ms", "retention.bytes", "min.insync.replicas");
            assertThat(configs(admin, p.commandsTopic)).containsEntry("cleanup.policy", "delete")
                    .containsEntry("retention.ms", SEVEN_DAYS).containsEntry("min.insync.replicas", "1");
            assertThat(configs(admin, p.resultsTopic)).containsEntry("cleanup.policy", "delete")
                    .containsEntry("retention.ms", SEVEN_DAYS);
            assertThat(configs(admin, p.deadLetterTopic)).containsEntry("retention.ms", THIRTY_DAYS);
            // the projector's own dead-letter topic, created by the projector
            assertThat(configs(admin, p.projectorConfig().get(ProjectorConfig.DEAD_LETTER_TOPIC)))
                    .containsEntry("cleanup.policy", "delete").containsEntry("retention.ms", THIRTY_DAYS);
        }
    }

    @Test
    void theServicesRefuseAnEventsTopicThatDropsEventsUnlessAllowed() throws Exception {
        String id = "it-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String finite = id + "finite-events";
        String compacted = id + "compacted-events";
        try (Admin admin = admin(); ChildJvm jvms = new ChildJvm()) {
            admin.createTopics(List.of(
                    new NewTopic(finite, 3, (short) 1).configs(Map.of("retention.ms", SEVEN_DAYS)),
                    new NewTopic(compacted, 3, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();

            // As deployed: the mains exit 1 with the message.
            Process command = jvms.start(CommandServiceMain.class, id + "command-service", commandConfig(id, finite));
            Process projector = jvms.start(ProjectorMain.class, id + "projector", projectorConfig(id, compacted));
            assertThat(command.waitFor(2, TimeUnit.MINUTES)).as("command-service exited").isTrue();
            assertThat(projector.waitFor(2, TimeUnit.MINUTES)).as("projector exited").isTrue();
            assertThat(command.exitValue()).isEqualTo(1);
            assertThat(projector.exitValue()).isEqualTo(1);
            assertThat(Files.readString(ChildJvm.log(id + "command-service")))
                    .contains("command-service cannot start: events topic " + finite)
                    .contains("retention.ms=" + SEVEN_DAYS).contains("events.topic.allow.finite.retention=true");
            assertThat(Files.readString(ChildJvm.log(id + "projector")))
                    .contains("projector cannot start: events topic " + compacted)
                    .contains("cleanup.policy=compact").contains("events.topic.allow.finite.retention=true");
            // The other way round, in-process; a refused command-service created none of its topics.
            assertThatThrownBy(() -> CommandService.start(new CommandServiceConfig(commandConfig(id + "c2-", compacted)),
                    Clock.systemUTC(), new SimpleMeterRegistry()))
                    .hasMessageContaining("events topic " + compacted).hasMessageContaining("cleanup.policy=compact");
            assertThat(admin.listTopics().names().get()).doesNotContain(id + "c2-commands");
            assertThatThrownBy(() -> Projector.start(new ProjectorConfig(projectorConfig(id + "p2-", finite))))
                    .hasMessageContaining("events topic " + finite).hasMessageContaining("retention.ms=" + SEVEN_DAYS);
            // The rebuild tool too.
            StringWriter out = new StringWriter();
            PrintWriter writer = new PrintWriter(out, true);
            assertThat(ProjectorCli.execute(projectorConfig(id + "p3-", finite), Map.of(), writer, writer,
                    "rebuild", "events")).isEqualTo(1);
            assertThat(out.toString()).contains("events topic " + finite).contains("retention.ms=" + SEVEN_DAYS);

            // Explicitly allowed, both start.
            Map<String, String> allowedCommand = commandConfig(id + "c4-", finite);
            allowedCommand.put(CommandServiceConfig.EVENTS_TOPIC_ALLOW_FINITE_RETENTION, "true");
            Map<String, String> allowedProjector = projectorConfig(id + "p4-", compacted);
            allowedProjector.put(ProjectorConfig.EVENTS_TOPIC_ALLOW_FINITE_RETENTION, "true");
            try (CommandService service = CommandService.start(new CommandServiceConfig(allowedCommand),
                    Clock.systemUTC(), new SimpleMeterRegistry());
                    Projector running = Projector.start(new ProjectorConfig(allowedProjector))) {
                await().atMost(WAIT).until(() -> service.state() == KafkaStreams.State.RUNNING);
                assertThat(running.isRunning()).isTrue();
            }
        } finally {
            TestCleanup.deleteAll(servers.kafka(), servers.elasticsearch(), id);
        }
    }

    @Test
    void aRebuildRefusesATopicWhoseStartWasDeletedUnlessAllowed() throws Exception {
        try (Pipeline p = new Pipeline(); Admin admin = admin();
                KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.<String, Object>of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka()),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
            // Partition 0 gets a first record that is then deleted, as retention or deleteRecords would.
            TopicPartition first = new TopicPartition(p.eventsTopic, 0);
            raw.send(new ProducerRecord<>(p.eventsTopic, 0, null, "deleted before the rebuild".getBytes())).get();
            admin.deleteRecords(Map.of(first, RecordsToDelete.beforeOffset(1))).all().get();
            int payments = 20;
            for (int i = 0; i < payments; i++) {
                p.send(Commands.process("pay-" + i, 1_000, "EUR", "org-1", "u-1", null));
            }
            await().atMost(WAIT).until(() -> p.get("/events?size=1").body().path("total").asLong() == payments);
            String liveBefore = aliasTarget(p, "events");

            StringWriter refused = new StringWriter();
            PrintWriter refusedOut = new PrintWriter(refused, true);
            assertThat(ProjectorCli.execute(p.projectorConfig(), Map.of(), refusedOut, refusedOut,
                    "rebuild", "events")).isEqualTo(1);
            System.out.print(refused);
            assertThat(refused.toString()).contains("cannot rebuild events")
                    .contains("topic " + p.eventsTopic + " no longer starts at offset 0")
                    .contains("{0=1}").contains("--allow-truncated");
            assertThat(aliasTarget(p, "events")).isEqualTo(liveBefore);

            StringWriter allowed = new StringWriter();
            PrintWriter allowedOut = new PrintWriter(allowed, true);
            // A trickle of commands while it runs: the verification waits for the live projector to
            // commit past the cut, which it does as new events arrive after a transaction's marker.
            AtomicBoolean running = new AtomicBoolean(true);
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                for (int i = payments; running.get(); i++) {
                    try {
                        p.send(Commands.process("pay-" + i, 1_000, "EUR", "org-1", "u-1", null));
                        Thread.sleep(50);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            int status;
            try {
                status = ProjectorCli.execute(p.projectorConfig(), Map.of(), allowedOut, allowedOut,
                        "rebuild", "events", "--allow-truncated", "--progress-interval-ms", "500");
            } finally {
                running.set(false);
                load.get(1, TimeUnit.MINUTES);
            }
            System.out.print(allowed);
            assertThat(allowed.toString()).contains("warning: topic " + p.eventsTopic + " no longer starts at offset 0")
                    .contains("rebuild of events done");
            assertThat(status).isZero();
            assertThat(aliasTarget(p, "events")).isNotEqualTo(liveBefore);
        }
    }

    private String aliasTarget(Pipeline p, String model) throws Exception {
        var es = io.eventflow.eventstore.ElasticsearchClients.connect(servers.elasticsearch());
        try {
            return String.join(",", es.indices().getAlias(a -> a.name(p.indexPrefix + model)).result().keySet());
        } finally {
            io.eventflow.eventstore.ElasticsearchClients.close(es);
        }
    }

    private Map<String, String> commandConfig(String prefix, String eventsTopic) throws Exception {
        return new HashMap<>(Map.ofEntries(
                Map.entry(CommandServiceConfig.BOOTSTRAP_SERVERS, servers.kafka()),
                Map.entry(CommandServiceConfig.APPLICATION_ID, prefix + "command-service"),
                Map.entry(CommandServiceConfig.SCHEMA_REGISTRY_URL, servers.schemaRegistry()),
                Map.entry(CommandServiceConfig.ELASTICSEARCH_URL, servers.elasticsearch()),
                Map.entry(CommandServiceConfig.INDEX_PREFIX, prefix),
                Map.entry(CommandServiceConfig.COMMANDS_TOPIC, prefix + "commands"),
                Map.entry(CommandServiceConfig.EVENTS_TOPIC, eventsTopic),
                Map.entry(CommandServiceConfig.RESULTS_TOPIC, prefix + "results"),
                Map.entry(CommandServiceConfig.DEAD_LETTER_TOPIC, prefix + "commands-dlq"),
                Map.entry(CommandServiceConfig.METRICS_PORT, "0"),
                Map.entry(CommandServiceConfig.STATE_DIR, Files.createTempDirectory("it-state-").toString())));
    }

    private Map<String, String> projectorConfig(String prefix, String eventsTopic) {
        return new HashMap<>(Map.of(
                ProjectorConfig.BOOTSTRAP_SERVERS, servers.kafka(),
                ProjectorConfig.GROUP_ID, prefix + "projector",
                ProjectorConfig.SCHEMA_REGISTRY_URL, servers.schemaRegistry(),
                ProjectorConfig.ELASTICSEARCH_URL, servers.elasticsearch(),
                ProjectorConfig.INDEX_PREFIX, prefix,
                ProjectorConfig.INDEX_REPLICAS, "0",
                ProjectorConfig.EVENTS_TOPIC, eventsTopic,
                ProjectorConfig.DEAD_LETTER_TOPIC, prefix + "events-dlq",
                ProjectorConfig.AGGREGATE_TYPES, "payments",
                ProjectorConfig.METRICS_PORT, "0"));
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka()));
    }

    /** The names of the configs set on the topic itself. */
    private static java.util.Set<String> topicLevel(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource).entries().stream()
                .filter(e -> e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG).map(ConfigEntry::name)
                .collect(java.util.stream.Collectors.toSet());
    }

    /** The topic's effective configs, broker defaults included. */
    private static Map<String, String> configs(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Map<String, String> out = new HashMap<>();
        for (ConfigEntry e : admin.describeConfigs(List.of(resource)).all().get().get(resource).entries()) {
            out.put(e.name(), e.value());
        }
        return out;
    }
}
