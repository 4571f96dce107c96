package io.eventflow.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ProjectorConfigTest {
    @Test
    void defaultsAreValidAndClientKeysPassThrough() {
        var config = new ProjectorConfig(Map.of("consumer.max.poll.records", "10"));
        assertThat(config.consumerProperties())
                .containsEntry("max.poll.records", "10")
                .containsEntry("enable.auto.commit", false)
                .containsEntry("isolation.level", "read_committed");
    }

    @Test
    void badValuesFailAtStartUpNamingTheKey() {
        assertThatThrownBy(() -> new ProjectorConfig(Map.of(ProjectorConfig.INDEX_REPLICAS, "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ProjectorConfig.INDEX_REPLICAS);
    }
}
