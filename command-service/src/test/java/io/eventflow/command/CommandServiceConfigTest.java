package io.eventflow.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class CommandServiceConfigTest {
    @Test
    void defaultsToExactlyOnceV2AndPassesOtherStreamsKeysThrough() {
        var config = new CommandServiceConfig(Map.of("num.stream.threads", "2"));
        assertThat(config.streamsProperties())
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry("num.stream.threads", "2")
                .doesNotContainKey(CommandServiceConfig.ELASTICSEARCH_URL);
    }

    @Test
    void badValuesFailAtStartUpNamingTheKey() {
        assertThatThrownBy(() -> new CommandServiceConfig(Map.of(CommandServiceConfig.TOPIC_REPLICATION_FACTOR, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CommandServiceConfig.TOPIC_REPLICATION_FACTOR);
        assertThatThrownBy(() -> new CommandServiceConfig(Map.of(CommandServiceConfig.BOOTSTRAP_SERVERS, "")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CommandServiceConfig.BOOTSTRAP_SERVERS);
        assertThatThrownBy(() -> new CommandServiceConfig(Map.of(CommandServiceConfig.TOPIC_PARTITIONS, "zero")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CommandServiceConfig.TOPIC_PARTITIONS);
    }

    @Test
    void theProcessingDeadlineMustStayWellBelowTheTransactionTimeout() {
        assertThat(new CommandServiceConfig(Map.of()).getLong(CommandServiceConfig.PROCESSING_DEADLINE_MS))
                .isLessThanOrEqualTo(CommandServiceConfig.STREAMS_EOS_TRANSACTION_TIMEOUT_MS / 2);
        assertThatThrownBy(() -> new CommandServiceConfig(Map.of(CommandServiceConfig.PROCESSING_DEADLINE_MS, "6000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CommandServiceConfig.PROCESSING_DEADLINE_MS)
                .hasMessageContaining("transaction.timeout.ms (10000 ms)");
        assertThatThrownBy(() -> new CommandServiceConfig(Map.of(CommandServiceConfig.PROCESSING_DEADLINE_MS, "4000",
                "producer.transaction.timeout.ms", "7000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("7000 ms");
        assertThat(new CommandServiceConfig(Map.of(CommandServiceConfig.PROCESSING_DEADLINE_MS, "10000",
                "producer.transaction.timeout.ms", "30000")).transactionTimeoutMs()).isEqualTo(30_000L);
        assertThatThrownBy(() -> new CommandServiceConfig(Map.of(CommandServiceConfig.ELASTICSEARCH_REQUEST_TIMEOUT_MS,
                "5000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(CommandServiceConfig.ELASTICSEARCH_REQUEST_TIMEOUT_MS);
    }
}
