package io.eventflow.schemas.serde;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the topics a service owns when they are missing; existing topics are left as they are. */
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
     * @param replicationFactor -1 for the broker default
     * @throws IllegalStateException when a topic cannot be created for another reason than existing
     */
    public static void ensure(String bootstrapServers, Collection<String> names, int partitions, short replicationFactor) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            create(admin, names, partitions, replicationFactor, Map.of());
        }
    }

    /** {@link #ensureDeadLetter(Map, String, String, int, short)} with only {@code bootstrap.servers}. */
    public static DeadLetterTopic ensureDeadLetter(String bootstrapServers, String deadLetterTopic, String sourceTopic,
            int partitions, short replicationFactor) {
        return ensureDeadLetter(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), deadLetterTopic,
                sourceTopic, partitions, replicationFactor);
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
     * @throws IllegalStateException when the topic cannot be described, created or altered
     */
    public static DeadLetterTopic ensureDeadLetter(Map<String, Object> adminProperties, String deadLetterTopic,
            String sourceTopic, int partitions, short replicationFactor) {
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        Objects.requireNonNull(sourceTopic, "sourceTopic");
        try (Admin admin = Admin.create(new HashMap<>(adminProperties))) {
            int sourceMax = topicMaxMessageBytes(admin, sourceTopic).orElseGet(() -> brokerMaxMessageBytes(admin));
            int wanted = (int) Math.min(Integer.MAX_VALUE, (long) sourceMax + DEAD_LETTER_HEADROOM);
            create(admin, List.of(deadLetterTopic), partitions, replicationFactor,
                    Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(wanted)));
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
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
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
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            ConfigEntry entry = admin.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            return Optional.of(Integer.parseInt(entry.value()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
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
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> all = new HashMap<>();
        for (String topic : topics) {
            for (int p = 0; p < partitions; p++) {
                all.put(new org.apache.kafka.common.TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
        }
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
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

    private static void create(Admin admin, Collection<String> names, int partitions, short replicationFactor,
            Map<String, String> configs) {
        Optional<Short> rf = replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor);
        List<NewTopic> wanted = new ArrayList<>();
        for (String name : names) {
            wanted.add(new NewTopic(name, Optional.of(partitions), rf).configs(configs));
        }
        try {
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(wanted).values().entrySet()) {
                try {
                    entry.getValue().get();
                    created.add(entry.getKey());
                    log.info("created topic {} ({} partitions{})", entry.getKey(), partitions,
                            configs.isEmpty() ? "" : ", " + configs);
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
