package io.eventflow.projection.rebuild;

import io.eventflow.projection.ProjectorCli;
import io.eventflow.projection.sink.IndexAdmin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

class RebuildToolTest {
    @Test
    void theProgressBarShowsShareRateAndEta() {
        assertThat(Replay.bar("payments-v2", 450_000, 1_000_000, 50_000))
                .isEqualTo("payments-v2 [##############----------------]  45.0%  450,000/1,000,000 events  50,000 ev/s  ETA 0:11");
        assertThat(Replay.bar("x", 0, 10, 0)).endsWith("ETA --:--");
        assertThat(Replay.bar("x", 10, 0, 0)).contains("100.0%");
    }

    @Test
    void theNextVersionFollowsTheHighestExistingOne() {
        assertThat(Rebuild.nextVersion(List.of())).isEqualTo(1);
        assertThat(Rebuild.nextVersion(List.of(info("p-payments-v1")))).isEqualTo(2);
        assertThat(Rebuild.nextVersion(List.of(info("p-payments-v1"), info("p-payments-v7"), info("p-payments-v3"))))
                .isEqualTo(8);
        assertThat(Rebuild.nextVersion(List.of(info("p-payments-000001")))).as("an index from before versioning").isEqualTo(2);
    }

    @Test
    void theChecksumDependsOnIdAndVersionButNotOnOrder() {
        long a = IndexChecksum.hash("pay-1", 3) + IndexChecksum.hash("pay-2", 1);
        long b = IndexChecksum.hash("pay-2", 1) + IndexChecksum.hash("pay-1", 3);
        assertThat(a).isEqualTo(b);
        assertThat(IndexChecksum.hash("pay-1", 3)).isNotEqualTo(IndexChecksum.hash("pay-1", 4));
        assertThat(IndexChecksum.hash("pay-1", 1)).isNotEqualTo(IndexChecksum.hash("pay-2", 1));
    }

    @Test
    void anUnknownModelIsAUsageErrorThatNamesTheChoices() {
        StringWriter err = new StringWriter();
        int status = ProjectorCli.execute(Map.of(), Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err),
                "rebuild", "orders");
        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("orders").contains("events, payments");
    }

    @Test
    void badConfigurationFailsBeforeAnythingIsTouched() {
        StringWriter err = new StringWriter();
        int status = ProjectorCli.execute(Map.of(), Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err),
                "-D", "rebuild.max.lag=-1", "status");
        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("bad configuration").contains("rebuild.max.lag");
    }

    @Test
    void aShardCountOutOfRangeFailsBeforeAnythingIsTouched() {
        StringWriter err = new StringWriter();
        int status = ProjectorCli.execute(Map.of(), Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err),
                "rebuild", "events", "--shards", "0");
        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("bad configuration").contains("elasticsearch.index.events.shards");
        err.getBuffer().setLength(0);
        status = ProjectorCli.execute(Map.of(), Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err),
                "rebuild", "payments", "-D", "elasticsearch.index.payments.shards=1025");
        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("bad configuration").contains("elasticsearch.index.payments.shards");
    }

    @Test
    void optionsMayAlsoFollowTheCommand() {
        StringWriter err = new StringWriter();
        int status = ProjectorCli.execute(Map.of(), Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err),
                "status", "payments", "-D", "rebuild.max.lag=-1");
        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("bad configuration").contains("rebuild.max.lag");
    }

    private static IndexAdmin.IndexInfo info(String name) {
        return new IndexAdmin.IndexInfo(name, 0, Map.of());
    }

    @Test
    void aTopicThatNoLongerStartsAtZeroIsNamedWithItsPartitionsAndFirstOffsets() {
        var start = Map.of(new org.apache.kafka.common.TopicPartition("ev", 0), 0L,
                new org.apache.kafka.common.TopicPartition("ev", 1), 57L,
                new org.apache.kafka.common.TopicPartition("ev", 2), 3L);
        assertThat(Rebuild.truncation(start)).hasValueSatisfying(m -> assertThat(m)
                .contains("topic ev no longer starts at offset 0").contains("{1=57, 2=3}").doesNotContain("0=0"));
        assertThat(Rebuild.truncation(Map.of(new org.apache.kafka.common.TopicPartition("ev", 0), 0L,
                new org.apache.kafka.common.TopicPartition("ev", 1), 0L))).isEmpty();
        // An events rebuild reads every type's topic: only the truncated one is named.
        var two = Map.of(new org.apache.kafka.common.TopicPartition("ev", 0), 1L,
                new org.apache.kafka.common.TopicPartition("wf", 0), 0L);
        assertThat(Rebuild.truncation(two)).hasValueSatisfying(m -> assertThat(m)
                .contains("topic ev no longer starts at offset 0 (partition=first offset: {0=1})")
                .doesNotContain("wf"));
    }
}
