package io.eventflow.projection.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventflow.eventstore.EventStoreIndices.MappingConflict;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProjectorStatusTest {
    private final ProjectorStatus status = new ProjectorStatus();

    @Test
    void readyOnlyOnceAssignedAndDeadOnceTheLoopStopped() {
        assertThat(status.health(true, null).ready()).isFalse();
        assertThat(status.health(true, null).reason()).isEqualTo("no partitions assigned");
        status.assigned(true);
        assertThat(status.health(true, null).ready()).isTrue();
        var dead = status.health(false, "Kafka still failing after 300000 ms");
        assertThat(dead.live()).isFalse();
        assertThat(dead.reason()).contains("projection loop stopped: Kafka still failing");
    }

    @Test
    void notReadyWhileElasticsearchFailsAndReadyAgainAfterASuccess() {
        status.assigned(true);
        status.elasticsearchFault("bulk of 3 writes failed: java.net.ConnectException");
        var h = status.health(true, null);
        assertThat(h.live()).isTrue();
        assertThat(h.ready()).isFalse();
        assertThat(h.reason()).startsWith("Elasticsearch unavailable: bulk of 3 writes failed");
        status.elasticsearchFault(null);
        assertThat(status.health(true, null).ready()).isTrue();
    }

    @Test
    void aMappingConflictKeepsItNotReadyWithTheRebuildToRun() {
        status.assigned(true);
        status.conflicts(List.of(new MappingConflict("payments", "payments-v1", "error", "long", "text")));
        var h = status.health(true, null);
        assertThat(h.live()).isTrue();
        assertThat(h.ready()).isFalse();
        assertThat(h.reason()).isEqualTo("field error of index payments-v1 is of type long but the template says text: "
                + "rebuild needed: projector-cli rebuild payments");
    }
}
