package io.eventflow.projection.live;

import io.eventflow.eventstore.EventStoreIndices.MappingConflict;
import io.eventflow.eventstore.Health;
import java.util.List;

/**
 * What the projection loop and its workers publish about themselves for {@code /health}: whether
 * partitions are assigned, the Kafka or Elasticsearch fault being retried (null once a call
 * succeeds again), and the mapping conflicts found at start-up. Written by the loop and worker
 * threads, read by the endpoint's thread: every field is volatile and reading never blocks.
 */
public final class ProjectorStatus {
    private volatile boolean assigned;
    private volatile String kafkaFault;
    private volatile String elasticsearchFault;
    private volatile List<MappingConflict> conflicts = List.of();

    void assigned(boolean any) {
        assigned = any;
    }

    /** A Kafka call of the loop failed transiently and is being retried; null when one succeeded. */
    void kafkaFault(String fault) {
        kafkaFault = fault;
    }

    /** A request to Elasticsearch failed transiently and is being retried; null when one succeeded. */
    void elasticsearchFault(String fault) {
        elasticsearchFault = fault;
    }

    public void conflicts(List<MappingConflict> found) {
        conflicts = List.copyOf(found);
    }

    public List<MappingConflict> conflicts() {
        return conflicts;
    }

    /**
     * Live while the loop runs (retrying a fault within its bound included); ready when it also
     * owns partitions, Kafka and Elasticsearch answer, and no mapping needs a rebuild.
     *
     * @param loopRunning whether the loop thread is alive
     * @param stopReason why the loop stopped, or null
     */
    public Health health(boolean loopRunning, String stopReason) {
        if (!loopRunning) {
            return Health.dead("projection loop stopped" + (stopReason == null ? "" : ": " + stopReason));
        }
        List<MappingConflict> c = conflicts;
        if (!c.isEmpty()) {
            return Health.notReady(c.get(0).message() + (c.size() > 1 ? " (and " + (c.size() - 1) + " more)" : ""));
        }
        String es = elasticsearchFault;
        if (es != null) {
            return Health.notReady("Elasticsearch unavailable: " + es);
        }
        String kafka = kafkaFault;
        if (kafka != null) {
            return Health.notReady("Kafka unavailable: " + kafka);
        }
        if (!assigned) {
            return Health.notReady("no partitions assigned");
        }
        return Health.UP;
    }
}
