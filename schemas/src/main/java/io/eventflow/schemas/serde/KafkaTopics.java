package io.eventflow.schemas.serde;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics a service owns when they are missing, with the settings of {@link TopicPolicy};
 * existing topics are left as they are, except for the checks and the dead-letter size below.
 */
public final class KafkaTopics {
    private static final Logger log = LoggerFactory.getLogger(KafkaTopics.class);

    /**
     * Bytes a dead-letter topic's {@code max.message.bytes} has above its source topic's: the
     * {@code dlq.*} headers ({@link DeadLetterHeaders#MAX_ADDED_BYTES}) and batch framing, with room.
     */
    public static final int DEAD_LETTER_HEADROOM = 64 * 1024;

    private KafkaTopics() {
    }

    /**
     * A dead-letter topic, and the largest record it takes: set the dead-letter producer's
     * {@code max.request.size} to at least {@code maxMessageBytes}.
     */
    public record DeadLetterTopic(String name, int maxMessageBytes) {
        public DeadLetterTopic {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Creates the missing topics, each with its configs (see {@link TopicPolicy}).
     *
     * @param adminProperties admin client properties, {@code bootstrap.servers} at least, with the
     *     same security settings as the service's other clients
     * @param topics topic name to the configs it is created with
     * @param replicationFactor -1 for the broker default
     * @throws IllegalStateException when a topic cannot be created for another reason than existing
     */
    public static void ensure(Map<String, Object> adminProperties, Map<String, Map<String, String>> topics,
            int partitions, short replicationFactor) {
        try (Admin admin = Admin.create(new HashMap<>(adminProperties))) {
            create(admin, topics, partitions, replicationFactor);
        }
    }

    /**
     * Refuses an existing events topic that does not keep its whole history (finite retention in
     * time or bytes, or compaction: {@link TopicPolicy#eventsTopicProblem}), unless {@code allowed},
     * then it only warns. Reads the topic's effective configs with describeConfigs; a missing topic
     * passes (whoever creates it applies {@link TopicPolicy#events}).
     *
     * @param allowKey the config key that sets {@code allowed}, named in the message
     * @throws IllegalStateException with the message naming the topic, each setting and its value
     *     and {@code allowKey}; or when the configs cannot be read
     */
    public static void checkEventsTopic(Map<String, Object> adminProperties, String topic, boolean allowed,
            String allowKey) {
        Objects.requireNonNull(topic, "topic");
        try (Admin admin = Admin.create(new HashMap<>(adminProperties))) {
            Optional<Map<String, String>> configs = topicConfigs(admin, topic);
            if (configs.isEmpty()) {
                log.info("events topic {} does not exist yet; not checking its retention", topic);
                return;
            }
            Optional<String> problem = TopicPolicy.eventsTopicProblem(topic, configs.get(), allowKey);
            if (problem.isEmpty()) {
                log.info("events topic {} keeps its whole history (cleanup.policy {}, retention.ms {}, retention.bytes {})",
                        topic, configs.get().get(TopicConfig.CLEANUP_POLICY_CONFIG),
                        configs.get().get(TopicConfig.RETENTION_MS_CONFIG),
                        configs.get().get(TopicConfig.RETENTION_BYTES_CONFIG));
            } else if (allowed) {
                log.warn("{} is true, starting anyway: {}", allowKey, problem.get());
            } else {
                throw new IllegalStateException(problem.get());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the configs of events topic " + topic + ": " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the configs of events topic " + topic, e);
        }
    }

    /** The topic's effective configs, or empty when it does not exist. */
    private static Optional<Map<String, String>> topicConfigs(Admin admin, String topic)
            throws ExecutionException, InterruptedException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Map<String, String> out = new HashMap<>();
            for (ConfigEntry entry : admin.describeConfigs(List.of(resource)).all().get().get(resource).entries()) {
                if (entry.value() != null) {
                    out.put(entry.name(), entry.value());
                }
            }
            return Optional.of(out);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Creates {@code deadLetterTopic} when missing, or raises its {@code max.message.bytes} when
     * too low, so that any record of {@code sourceTopic} fits with the dead-letter headers: the
     * source's effective {@code max.message.bytes} (the broker's {@code message.max.bytes} when
     * the source does not exist yet) plus {@link #DEAD_LETTER_HEADROOM}. A source topic whose
     * limit is raised later needs this called again (services call it when they start).
     *
     * @param adminProperties admin client properties, {@code bootstrap.servers} at least
     * @param replicationFactor -1 for the broker default
     * @param configs further configs of a new dead-letter topic (its retention: {@link TopicPolicy#retained})
     * @throws IllegalStateException when the topic cannot be described, created or altered
     */
    public static DeadLetterTopic ensureDeadLetter(Map<String, Object> adminProperties, String deadLetterTopic,
            String sourceTopic, int partitions, short replicationFactor, Map<String, String> configs) {
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        Objects.requireNonNull(sourceTopic, "sourceTopic");
        try (Admin admin = Admin.create(new HashMap<>(adminProperties))) {
            int sourceMax = topicMaxMessageBytes(admin, sourceTopic).orElseGet(() -> brokerMaxMessageBytes(admin));
            int wanted = (int) Math.min(Integer.MAX_VALUE, (long) sourceMax + DEAD_LETTER_HEADROOM);
            Map<String, String> withSize = new HashMap<>(configs);
            withSize.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(wanted));
            create(admin, Map.of(deadLetterTopic, withSize), partitions, replicationFactor);
            int current = describeCreated(admin, deadLetterTopic);
            if (current < wanted) {
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, deadLetterTopic);
                admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(wanted)),
                        AlterConfigOp.OpType.SET)))).all().get();
                log.info("raised max.message.bytes of dead-letter topic {} from {} to {} (source {} takes {})",
                        deadLetterTopic, current, wanted, sourceTopic, sourceMax);
                current = wanted;
            }
            return new DeadLetterTopic(deadLetterTopic, current);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set up dead-letter topic " + deadLetterTopic + ": " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up dead-letter topic " + deadLetterTopic, e);
        }
    }

    /**
     * The topic's max.message.bytes right after it was created: a broker may not know a topic for a
     * moment after creating it, so "unknown topic" is asked again for a few seconds.
     */
    private static int describeCreated(Admin admin, String topic) throws ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            Optional<Integer> max = topicMaxMessageBytes(admin, topic);
            if (max.isPresent()) {
                return max.get();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("dead-letter topic " + topic + " was created but the brokers do not "
                        + "know it after 15 s");
            }
            Thread.sleep(100);
        }
    }

    private static Optional<Integer> topicMaxMessageBytes(Admin admin, String topic)
            throws ExecutionException, InterruptedException {
        return topicConfigs(admin, topic).map(c -> Integer.parseInt(c.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)));
    }

    private static int brokerMaxMessageBytes(Admin admin) {
        try {
            Node node = admin.describeCluster().nodes().get().iterator().next();
            ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, node.idString());
            ConfigEntry entry = admin.describeConfigs(List.of(resource)).all().get().get(resource).get("message.max.bytes");
            return Integer.parseInt(entry.value());
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the broker's message.max.bytes: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the broker's message.max.bytes", e);
        }
    }

    /**
     * Waits until every partition of the new topics answers a ListOffsets request, i.e. its leader
     * has loaded it. A producer that writes to a partition before that gets NOT_LEADER_OR_FOLLOWER,
     * and an idempotent one can then stall on OUT_OF_ORDER_SEQUENCE_NUMBER for good (seen here
     * with Kafka 4.1). Bounded: after 30 s it gives up quietly and lets the clients retry.
     */
    private static void awaitLeaders(Admin admin, List<String> topics, int partitions) throws InterruptedException {
        if (topics.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetSpec> all = new HashMap<>();
        for (String topic : topics) {
            for (int p = 0; p < partitions; p++) {
                all.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                admin.listOffsets(all).all().get();
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    log.warn("partitions of {} still have no ready leader after 30 s: {}", topics, e.getCause().toString());
                    return;
                }
                Thread.sleep(100);
            }
        }
    }

    private static void create(Admin admin, Map<String, Map<String, String>> topics, int partitions,
            short replicationFactor) {
        Optional<Short> rf = replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor);
        List<NewTopic> wanted = new ArrayList<>();
        topics.forEach((name, configs) -> wanted.add(new NewTopic(name, Optional.of(partitions), rf).configs(configs)));
        try {
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(wanted).values().entrySet()) {
                try {
                    entry.getValue().get();
                    created.add(entry.getKey());
                    Map<String, String> configs = topics.get(entry.getKey());
                    log.info("created topic {} ({} partitions, replication factor {}{})", entry.getKey(), partitions,
                            rf.map(String::valueOf).orElse("broker default"), configs.isEmpty() ? "" : ", " + configs);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey() + ": " + e.getCause(), e.getCause());
                    }
                }
            }
            awaitLeaders(admin, created, partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
