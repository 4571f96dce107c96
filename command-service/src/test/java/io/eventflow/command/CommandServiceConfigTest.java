package io.eventflow.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventflow.aggregate.AggregateTypes;
import io.eventflow.command.pipeline.CommandTopology;
import io.eventflow.command.pipeline.Tally;
import io.eventflow.payments.Payments;
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
    void theChangelogGetsTheDurabilityOfTheServicesTopicsUnlessStreamsKeysSayOtherwise() {
        var replicated = new CommandServiceConfig(Map.of(CommandServiceConfig.TOPIC_REPLICATION_FACTOR, "3",
                "topics.min.insync.replicas", "2"));
        assertThat(replicated.streamsProperties())
                .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, 3)
                .containsEntry(StreamsConfig.topicPrefix("min.insync.replicas"), 2);
        var explicit = new CommandServiceConfig(Map.of(CommandServiceConfig.TOPIC_REPLICATION_FACTOR, "3",
                StreamsConfig.REPLICATION_FACTOR_CONFIG, "2"));
        assertThat(explicit.streamsProperties()).containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, "2");
        assertThat(new CommandServiceConfig(Map.of()).streamsProperties())
                .doesNotContainKeys(StreamsConfig.REPLICATION_FACTOR_CONFIG, StreamsConfig.topicPrefix("min.insync.replicas"));
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
    void theAdminClientThatCreatesTopicsGetsTheSecuritySettingsOfTheStreamsClients() {
        var config = new CommandServiceConfig(Map.of(CommandServiceConfig.BOOTSTRAP_SERVERS, "b1:9093,b2:9093",
                "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "ssl.truststore.location", "/etc/kafka/truststore.jks", "admin.request.timeout.ms", "20000",
                "producer.linger.ms", "5", "num.stream.threads", "2"));
        assertThat(config.adminProperties())
                .containsEntry("bootstrap.servers", "b1:9093,b2:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.jks")
                .containsEntry("request.timeout.ms", "20000")
                .doesNotContainKeys("linger.ms", "producer.linger.ms", "num.stream.threads", "processing.guarantee",
                        CommandServiceConfig.COMMANDS_TOPIC_RETENTION_MS);
    }

    @Test
    void registryAndElasticsearchSecretsStayOutOfKafkaStreamsAndAreCheckedAtStartUp() {
        var config = new CommandServiceConfig(Map.of("basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "svc:pw", "elasticsearch.username", "u", "elasticsearch.password", "p",
                "schema.registry.ssl.truststore.type", "PEM", "security.protocol", "SASL_SSL"));
        assertThat(config.streamsProperties()).containsEntry("security.protocol", "SASL_SSL")
                .doesNotContainKeys("basic.auth.user.info", "elasticsearch.password", "schema.registry.ssl.truststore.type",
                        "config.providers");
        assertThat(config.registry().getPassword("basic.auth.user.info").value()).isEqualTo("svc:pw");
        assertThatThrownBy(() -> new CommandServiceConfig(Map.of("elasticsearch.password", "p")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("elasticsearch.username");
    }

    @Test
    void aKeyNoClientKnowsIsReportedNotSilentlyDropped() {
        var config = new CommandServiceConfig(Map.of("sasl.jaas.config", "x", "main.consumer.max.poll.records", "5",
                "producer.linger.ms", "5", "rocksdb.memory.bytes", "1000000", "num.stream.threads", "2",
                "topic.segment.ms", "1000", "elasticsearch.url", "http://es:9200",
                "sasl.jass.config", "typo", "elasticsearch.pasword", "typo"));
        assertThat(config.unknownKeys()).containsExactly("elasticsearch.pasword", "sasl.jass.config");
    }

    @Test
    void topicSettingsAreCheckedTogether() {
        assertThatThrownBy(() -> new CommandServiceConfig(Map.of(CommandServiceConfig.TOPIC_REPLICATION_FACTOR, "2",
                CommandServiceConfig.TOPIC_MIN_INSYNC_REPLICAS, "3")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CommandServiceConfig.TOPIC_MIN_INSYNC_REPLICAS)
                .hasMessageContaining(CommandServiceConfig.TOPIC_REPLICATION_FACTOR);
        new CommandServiceConfig(Map.of(CommandServiceConfig.TOPIC_REPLICATION_FACTOR, "3",
                CommandServiceConfig.TOPIC_MIN_INSYNC_REPLICAS, "2"));
        new CommandServiceConfig(Map.of(CommandServiceConfig.TOPIC_MIN_INSYNC_REPLICAS, "2"));
        assertThatThrownBy(() -> new CommandServiceConfig(Map.of(CommandServiceConfig.RESULTS_TOPIC_RETENTION_MS,
                "3600000", CommandServiceConfig.IDEMPOTENCY_WINDOW_MS, "7200000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CommandServiceConfig.RESULTS_TOPIC_RETENTION_MS)
                .hasMessageContaining(CommandServiceConfig.IDEMPOTENCY_WINDOW_MS);
        assertThatThrownBy(() -> new CommandServiceConfig(Map.of(CommandServiceConfig.COMMANDS_TOPIC_RETENTION_MS, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CommandServiceConfig.COMMANDS_TOPIC_RETENTION_MS);
        var defaults = new CommandServiceConfig(Map.of());
        assertThat(defaults.getLong(CommandServiceConfig.RESULTS_TOPIC_RETENTION_MS))
                .isGreaterThanOrEqualTo(defaults.getLong(CommandServiceConfig.IDEMPOTENCY_WINDOW_MS));
        assertThat(defaults.getBoolean(CommandServiceConfig.EVENTS_TOPIC_ALLOW_FINITE_RETENTION)).isFalse();
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

    private static CommandTopology.Topics payments(CommandServiceConfig c) {
        return c.lanes().stream().filter(l -> l.type() == Payments.TYPE).findFirst().orElseThrow().topics();
    }

    @Test
    void paymentTopicsDefaultToTheirConventionalNamesAndTheOldKeysStillNameThem() {
        assertThat(payments(new CommandServiceConfig(Map.of()))).isEqualTo(new CommandTopology.Topics(
                "payment-commands", "payment-events", "payment-command-results", "payment-commands-dlq"));
        assertThat(payments(new CommandServiceConfig(Map.of("commands.topic", "a", "events.topic", "b",
                "results.topic", "c", "dead.letter.topic", "d")))).isEqualTo(new CommandTopology.Topics("a", "b", "c", "d"));
        assertThat(payments(new CommandServiceConfig(Map.of("payments.commands.topic", "a", "payments.events.topic", "b",
                "payments.results.topic", "c", "payments.dead.letter.topic", "d"))))
                .isEqualTo(new CommandTopology.Topics("a", "b", "c", "d"));
        assertThat(payments(new CommandServiceConfig(Map.of("events.topic", "b", "payments.events.topic", "b")))
                .events()).isEqualTo("b");
    }

    @Test
    void anAliasAndItsKeySetDifferentlyFailAtStartUp() {
        assertThatThrownBy(() -> new CommandServiceConfig(Map.of("events.topic", "b", "payments.events.topic", "x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("events.topic")
                .hasMessageContaining("payments.events.topic");
    }

    @Test
    void everyTypesTopicsAreDistinct() {
        assertThatThrownBy(() -> new CommandServiceConfig(Map.of("payments.results.topic", "payment-events")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("payment-events");
        var types = AggregateTypes.of(Payments.TYPE, Tally.TYPE);
        var both = new CommandServiceConfig(types, Map.of());
        assertThat(both.lanes()).extracting(l -> l.topics().commands()).containsExactly("payment-commands",
                "tally-commands");
        assertThatThrownBy(() -> new CommandServiceConfig(types, Map.of("tallies.events.topic", "payment-events")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tallies.events.topic")
                .hasMessageContaining("payments.events.topic");
    }

    @Test
    void aggregateTypesChoosesAmongTheWiredTypes() {
        var types = AggregateTypes.of(Payments.TYPE, Tally.TYPE);
        assertThat(new CommandServiceConfig(types, Map.of("aggregate.types", "tallies")).lanes())
                .extracting(l -> l.type().names().type()).containsExactly("Tally");
        assertThatThrownBy(() -> new CommandServiceConfig(types, Map.of("aggregate.types", "orders")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("orders").hasMessageContaining("tallies");
        assertThatThrownBy(() -> new CommandServiceConfig(types, Map.of("aggregate.types", "")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("aggregate.types");
        assertThat(CommandServiceConfig.configDef().names()).contains("payments.commands.topic", "commands.topic",
                "aggregate.types");
    }
}
