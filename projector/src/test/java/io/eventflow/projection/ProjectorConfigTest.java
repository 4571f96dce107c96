package io.eventflow.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventflow.eventstore.IndexSettings;
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
    void securedConnectionSettingsAreCheckedAtStartUpAndReachTheirClients() {
        assertThatThrownBy(() -> new ProjectorConfig(Map.of("elasticsearch.api.key", "k", "elasticsearch.username", "u")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("elasticsearch.api.key");
        assertThatThrownBy(() -> new ProjectorConfig(Map.of("basic.auth.credentials.source", "USER_INFO")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.user.info");
        var config = new ProjectorConfig(Map.of("schema.registry.url", "http://registry:8081",
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "svc:pw",
                "elasticsearch.url", "https://es:9200", "elasticsearch.api.key", "a2V5"));
        assertThat(config.registry().getPassword("basic.auth.user.info").value()).isEqualTo("svc:pw");
        assertThat(config.registry().getString("schema.registry.url")).isEqualTo("http://registry:8081");
        assertThat(config.elasticsearch().credentialsKey()).isEqualTo("elasticsearch.api.key");
        // Registry and Elasticsearch secrets are never handed to a Kafka client.
        assertThat(config.consumerProperties()).doesNotContainKeys("basic.auth.user.info", "elasticsearch.api.key");
        assertThat(config.producerProperties()).doesNotContainKeys("basic.auth.user.info", "elasticsearch.api.key");
    }

    @Test
    void aKeyNoClientKnowsIsReportedNotSilentlyDropped() {
        var config = new ProjectorConfig(Map.of("security.protocol", "SASL_SSL", "consumer.fetch.min.bytes", "1",
                "workflows.events.topic", "w", "basic.auth.user.info", "a:b", "schema.registry.ssl.truststore.type", "PEM",
                "ssl.truststore.locaton", "typo", "consumer.max.pol.records", "typo"));
        assertThat(config.unknownKeys()).containsExactly("consumer.max.pol.records", "ssl.truststore.locaton");
    }

    @Test
    void badValuesFailAtStartUpNamingTheKey() {
        assertThatThrownBy(() -> new ProjectorConfig(Map.of(ProjectorConfig.INDEX_REPLICAS, "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ProjectorConfig.INDEX_REPLICAS);
    }

    @Test
    void indexSettingsDefaultToOneShardTheSharedReplicasAndElasticsearchsRefresh() {
        var config = new ProjectorConfig(Map.of());
        for (String model : java.util.List.of("events", "payments", "workflows")) {
            assertThat(config.indexSettings(model)).isEqualTo(new IndexSettings(1, 1, null));
        }
        // elasticsearch.index.replicas stays the default of every template
        var single = new ProjectorConfig(Map.of(ProjectorConfig.INDEX_REPLICAS, "0"));
        assertThat(single.indexSettings("events")).isEqualTo(new IndexSettings(1, 0, null));
        assertThat(single.indexSettings("payments")).isEqualTo(new IndexSettings(1, 0, null));
    }

    @Test
    void eachTemplateHasItsOwnShardsReplicasAndRefreshInterval() {
        var config = new ProjectorConfig(Map.of(ProjectorConfig.INDEX_REPLICAS, "0",
                "elasticsearch.index.events.shards", "3", "elasticsearch.index.events.refresh.interval", "5s",
                "elasticsearch.index.payments.replicas", "2", "elasticsearch.index.workflows.refresh.interval", "-1"));
        assertThat(config.indexSettings("events")).isEqualTo(new IndexSettings(3, 0, "5s"));
        assertThat(config.indexSettings("payments")).isEqualTo(new IndexSettings(1, 2, null));
        assertThat(config.indexSettings("workflows")).isEqualTo(new IndexSettings(1, 0, "-1"));
        assertThat(ProjectorConfig.configDef().names()).contains("elasticsearch.index.events.shards",
                "elasticsearch.index.payments.replicas", "elasticsearch.index.workflows.refresh.interval");
        assertThatThrownBy(() -> config.indexSettings("orders")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badIndexSettingsFailAtStartUpNamingTheKey() {
        Map<String, String> bad = Map.of(
                "elasticsearch.index.events.shards", "0",
                "elasticsearch.index.payments.shards", "1025",
                "elasticsearch.index.workflows.shards", "many",
                "elasticsearch.index.events.replicas", "-1",
                "elasticsearch.index.events.refresh.interval", "fast",
                "elasticsearch.index.payments.refresh.interval", "5 s",
                "elasticsearch.index.workflows.refresh.interval", "1.5s");
        bad.forEach((key, value) -> assertThatThrownBy(() -> new ProjectorConfig(Map.of(key, value)))
                .as(key + "=" + value).isInstanceOf(ConfigException.class).hasMessageContaining(key));
        assertThat(new ProjectorConfig(Map.of("elasticsearch.index.events.refresh.interval", "500ms"))
                .indexSettings("events").refreshInterval()).isEqualTo("500ms");
    }

    @Test
    void theOldNamesOfTheElasticsearchBackoffAreReadButTheNewOnesWin() {
        assertThat(new ProjectorConfig(Map.of()).retryBackoffMs()).isEqualTo(100);
        var old = new ProjectorConfig(Map.of("retry.backoff.ms", "250", "retry.backoff.max.ms", "9000"));
        assertThat(old.retryBackoffMs()).isEqualTo(250);
        assertThat(old.retryBackoffMaxMs()).isEqualTo(9000);
        var both = new ProjectorConfig(Map.of("retry.backoff.ms", "250", ProjectorConfig.RETRY_BACKOFF_MS, "300"));
        assertThat(both.retryBackoffMs()).isEqualTo(300);
        assertThat(both.consumerProperties()).doesNotContainKeys("retry.backoff.ms", ProjectorConfig.RETRY_BACKOFF_MS);
        assertThat(new ProjectorConfig(Map.of("consumer.retry.backoff.ms", "77")).consumerProperties())
                .containsEntry("retry.backoff.ms", "77");
        assertThatThrownBy(() -> new ProjectorConfig(Map.of("retry.backoff.ms", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retry.backoff.ms");
    }

    @Test
    void securitySettingsAreSetOnceForEveryClientAndPrefixedKeysWin() {
        var config = new ProjectorConfig(Map.of("security.protocol", "SASL_SSL",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;",
                "client.dns.lookup", "use_all_dns_ips", "admin.security.protocol", "SSL", "producer.linger.ms", "5",
                "retry.backoff.ms", "250"));
        for (Map<String, Object> props : java.util.List.of(config.consumerProperties(), config.producerProperties())) {
            assertThat(props).containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;")
                    .containsEntry("client.dns.lookup", "use_all_dns_ips")
                    .containsEntry("bootstrap.servers", "localhost:9092")
                    // retry.backoff.ms is the old name of the projector's own key, never Kafka's
                    .doesNotContainKeys("retry.backoff.ms", ProjectorConfig.RETRY_BACKOFF_MS);
        }
        assertThat(config.adminProperties()).containsEntry("security.protocol", "SSL")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;")
                .doesNotContainKeys("linger.ms", "group.id");
        assertThat(config.producerProperties()).containsEntry("linger.ms", "5");
        assertThat(config.consumerProperties()).doesNotContainKey("linger.ms");
    }

    @Test
    void minInsyncReplicasAboveTheReplicationFactorIsRefused() {
        assertThatThrownBy(() -> new ProjectorConfig(Map.of(ProjectorConfig.TOPIC_REPLICATION_FACTOR, "1",
                ProjectorConfig.TOPIC_MIN_INSYNC_REPLICAS, "2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ProjectorConfig.TOPIC_MIN_INSYNC_REPLICAS);
        assertThatThrownBy(() -> new ProjectorConfig(Map.of(ProjectorConfig.DEAD_LETTER_TOPIC_RETENTION_MS, "-2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ProjectorConfig.DEAD_LETTER_TOPIC_RETENTION_MS);
    }
}
