package io.eventflow.schemas.serde;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The settings of the topics the services create, in one place, and the check of an existing
 * events topic. The events topic is the source of truth and rebuilds replay it from offset 0, so
 * it keeps every record: {@code cleanup.policy=delete} with unlimited {@code retention.ms} and
 * {@code retention.bytes}. Compaction is refused too: the topic is keyed by aggregate id, so
 * compaction would keep only the latest event of each payment. The other topics (commands,
 * results, dead letters) are work queues and answers, and get a finite retention. Pure functions;
 * thread-safe.
 */
public final class TopicPolicy {
    /** {@code retention.ms} / {@code retention.bytes} value meaning "unlimited". */
    public static final long UNLIMITED = -1L;

    private TopicPolicy() {
    }

    /**
     * Configs of a new events topic: delete policy, unlimited retention in time and bytes.
     *
     * @param minInsyncReplicas {@code min.insync.replicas}, or -1 to take the broker default
     */
    public static Map<String, String> events(int minInsyncReplicas) {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(UNLIMITED));
        configs.put(TopicConfig.RETENTION_BYTES_CONFIG, Long.toString(UNLIMITED));
        minInsync(configs, minInsyncReplicas);
        return Map.copyOf(configs);
    }

    /**
     * Configs of a new topic whose records are deleted after {@code retentionMs} (commands,
     * results, dead letters).
     *
     * @param retentionMs milliseconds, or -1 for unlimited
     * @param minInsyncReplicas {@code min.insync.replicas}, or -1 to take the broker default
     */
    public static Map<String, String> retained(long retentionMs, int minInsyncReplicas) {
        if (retentionMs < UNLIMITED || retentionMs == 0) {
            throw new IllegalArgumentException("retention.ms must be -1 or positive: " + retentionMs);
        }
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs));
        minInsync(configs, minInsyncReplicas);
        return Map.copyOf(configs);
    }

    private static void minInsync(Map<String, String> configs, int minInsyncReplicas) {
        if (minInsyncReplicas == 0 || minInsyncReplicas < -1) {
            throw new IllegalArgumentException("min.insync.replicas must be -1 or at least 1: " + minInsyncReplicas);
        }
        if (minInsyncReplicas > 0) {
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas));
        }
    }

    /**
     * What an existing events topic's effective configs (as {@code describeConfigs} reports them,
     * broker defaults included) would lose of the history: finite {@code retention.ms}, finite
     * {@code retention.bytes}, or a {@code cleanup.policy} with {@code compact}.
     *
     * @param topic the topic's name, for the message
     * @param effective config name to value; a missing key is taken as harmless
     * @param allowKey the config key that lets the service start anyway, for the message
     * @return the refusal message naming each setting, its value and {@code allowKey}; empty when
     *     the topic keeps every record
     */
    public static Optional<String> eventsTopicProblem(String topic, Map<String, String> effective, String allowKey) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(effective, "effective");
        Objects.requireNonNull(allowKey, "allowKey");
        List<String> problems = new ArrayList<>();
        String policy = effective.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (policy != null && policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            problems.add(TopicConfig.CLEANUP_POLICY_CONFIG + "=" + policy + " (compaction keeps only the latest event "
                    + "of each aggregate id, i.e. one per payment)");
        }
        for (String key : List.of(TopicConfig.RETENTION_MS_CONFIG, TopicConfig.RETENTION_BYTES_CONFIG)) {
            String value = effective.get(key);
            if (value != null && !isUnlimited(value)) {
                problems.add(key + "=" + value + " (finite: older events are deleted)");
            }
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("events topic " + topic + " does not keep its whole history: " + String.join(", ", problems)
                + ". Rebuilds replay this topic from offset 0, so events it drops are lost for good. Set "
                + TopicConfig.CLEANUP_POLICY_CONFIG + "=" + TopicConfig.CLEANUP_POLICY_DELETE + ", "
                + TopicConfig.RETENTION_MS_CONFIG + "=-1 and " + TopicConfig.RETENTION_BYTES_CONFIG
                + "=-1 on the topic (kafka-configs.sh --alter --entity-type topics --entity-name " + topic
                + " --add-config ...), or set " + allowKey + "=true to start anyway.");
    }

    private static boolean isUnlimited(String value) {
        try {
            return Long.parseLong(value.trim()) < 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
