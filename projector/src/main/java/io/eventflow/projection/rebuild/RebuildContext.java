package io.eventflow.projection.rebuild;

import io.eventflow.projection.ProjectorConfig;
import io.eventflow.projection.live.ProjectionWiring;
import io.eventflow.projection.sink.IndexAdmin;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * What the rebuild, rollback and status commands share: the projection's parts, index and offset
 * administration, where to print, a clock, and the tunables. Used by one command at a time.
 */
public record RebuildContext(ProjectionWiring wiring, IndexAdmin admin, TopicOffsets offsets, PrintWriter out, Clock clock,
        Tunables tunables) {

    /** Rebuild tunables, from the projector config or the command line. */
    public record Tunables(long maxLag, Duration stallTimeout, Duration verifyTimeout, Duration swapWait,
            Duration progressInterval) {
        public static Tunables of(ProjectorConfig c, Duration progressInterval) {
            return new Tunables(c.getLong(ProjectorConfig.REBUILD_MAX_LAG),
                    Duration.ofMillis(c.getLong(ProjectorConfig.REBUILD_STALL_TIMEOUT_MS)),
                    Duration.ofMillis(c.getLong(ProjectorConfig.REBUILD_VERIFY_TIMEOUT_MS)),
                    Duration.ofMillis(c.getLong(ProjectorConfig.REBUILD_SWAP_WAIT_MS)), progressInterval);
        }
    }

    public RebuildContext {
        Objects.requireNonNull(wiring, "wiring");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(offsets, "offsets");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(tunables, "tunables");
    }

    String liveGroup() {
        return wiring.config().getString(ProjectorConfig.GROUP_ID);
    }

    /** The consumer group a rebuild into {@code index} reads with. */
    String rebuildGroup(String index) {
        return liveGroup() + "-rebuild-" + index;
    }

    /** The consumer group a rollback to {@code index} catches up with. */
    String rollbackGroup(String index) {
        return liveGroup() + "-rollback-" + index;
    }

    void say(String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
    }

    /**
     * Offsets as {partition: offset} for one topic, or {topic:partition: offset} for several, as
     * stored in an index's rebuild record and printed.
     */
    static Map<String, Long> byPartition(Map<TopicPartition, Long> offsets) {
        boolean oneTopic = offsets.keySet().stream().map(TopicPartition::topic).distinct().count() <= 1;
        Map<String, Long> out = new TreeMap<>(RebuildContext::compareKeys);
        offsets.forEach((tp, o) -> out.put(key(tp, oneTopic), o));
        return out;
    }

    static String key(TopicPartition tp, boolean oneTopic) {
        return oneTopic ? Integer.toString(tp.partition()) : tp.topic() + ":" + tp.partition();
    }

    private static int compareKeys(String a, String b) {
        int i = a.lastIndexOf(':');
        int j = b.lastIndexOf(':');
        int byTopic = a.substring(0, i + 1).compareTo(b.substring(0, j + 1));
        return byTopic != 0 ? byTopic : Integer.compare(Integer.parseInt(a.substring(i + 1)),
                Integer.parseInt(b.substring(j + 1)));
    }
}
