package io.eventflow.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class AnalyticsApiConfigTest {
    @Test
    void defaultsAreValid() {
        assertThat(new AnalyticsApiConfig(Map.of()).getInt(AnalyticsApiConfig.HTTP_PORT)).isEqualTo(8090);
    }

    @Test
    void aBadPortFailsAtStartUpNamingTheKey() {
        assertThatThrownBy(() -> new AnalyticsApiConfig(Map.of(AnalyticsApiConfig.HTTP_PORT, "70000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(AnalyticsApiConfig.HTTP_PORT);
    }
}
