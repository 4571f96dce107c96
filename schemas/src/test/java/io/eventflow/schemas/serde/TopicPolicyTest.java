package io.eventflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicPolicyTest {
    private static final String ALLOW = "events.topic.allow.finite.retention";

    @Test
    void theEventsTopicIsCreatedToKeepEveryRecord() {
        assertThat(TopicPolicy.events(-1)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1"));
        assertThat(TopicPolicy.events(2)).containsEntry("min.insync.replicas", "2");
    }

    @Test
    void otherTopicsGetTheirRetention() {
        assertThat(TopicPolicy.retained(604_800_000L, -1)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "cleanup.policy", "delete", "retention.ms", "604800000"));
        assertThat(TopicPolicy.retained(-1, 1)).containsEntry("retention.ms", "-1").containsEntry("min.insync.replicas", "1");
        assertThatThrownBy(() -> TopicPolicy.retained(0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopicPolicy.events(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTopicThatKeepsEveryRecordPasses() {
        assertThat(TopicPolicy.eventsTopicProblem("ev", Map.of("cleanup.policy", "delete", "retention.ms", "-1",
                "retention.bytes", "-1", "min.insync.replicas", "1"), ALLOW)).isEmpty();
        assertThat(TopicPolicy.eventsTopicProblem("ev", TopicPolicy.events(-1), ALLOW)).isEmpty();
    }

    @Test
    void finiteRetentionInTimeIsRefusedNamingTheTopicTheSettingItsValueAndTheKey() {
        assertThat(TopicPolicy.eventsTopicProblem("ev", Map.of("cleanup.policy", "delete",
                "retention.ms", "604800000", "retention.bytes", "-1"), ALLOW)).hasValueSatisfying(m -> assertThat(m)
                .contains("events topic ev").contains("retention.ms=604800000").contains(ALLOW + "=true")
                .doesNotContain("retention.bytes=-1 ("));
    }

    @Test
    void finiteRetentionInBytesIsRefused() {
        assertThat(TopicPolicy.eventsTopicProblem("ev", Map.of("cleanup.policy", "delete", "retention.ms", "-1",
                "retention.bytes", "1073741824"), ALLOW)).hasValueSatisfying(m -> assertThat(m)
                .contains("retention.bytes=1073741824").doesNotContain("retention.ms=-1 ("));
    }

    @Test
    void compactionIsRefusedEvenWithUnlimitedRetentionOrTogetherWithDelete() {
        for (String policy : new String[] {"compact", "compact,delete", "delete,compact"}) {
            assertThat(TopicPolicy.eventsTopicProblem("ev", Map.of("cleanup.policy", policy, "retention.ms", "-1",
                    "retention.bytes", "-1"), ALLOW)).hasValueSatisfying(m -> assertThat(m)
                    .contains("cleanup.policy=" + policy).contains("one per payment"));
        }
    }

    @Test
    void everyProblemIsNamed() {
        assertThat(TopicPolicy.eventsTopicProblem("ev", Map.of("cleanup.policy", "compact", "retention.ms", "1000",
                "retention.bytes", "5000"), ALLOW)).hasValueSatisfying(m -> assertThat(m)
                .contains("cleanup.policy=compact").contains("retention.ms=1000").contains("retention.bytes=5000"));
    }
}
