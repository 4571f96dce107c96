package io.eventflow.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

class ServiceConfigLoaderTest {
    @Test
    void anyKafkaClientKeyCanBeSetFromTheEnvironment() throws Exception {
        ConfigDef def = CommonConfig.defineKafka(new ConfigDef());
        Map<String, Object> values = ServiceConfigLoader.load(def, new String[0], Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "broker:9092",
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", "jaas line",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/truststore.p12",
                "KAFKA_CONSUMER_MAX_POLL_RECORDS", "500",
                "KAFKA_ADMIN_REQUEST_TIMEOUT_MS", "9000",
                "KAFKA_NUM_STREAM_THREADS", "4",
                "KAFKA_NOT_A_KAFKA_KEY", "x",
                "SECURITY_PROTOCOL", "PLAINTEXT"), Set.of("num.stream.threads"));
        assertThat(values).containsEntry("bootstrap.servers", "broker:9092")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "jaas line")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
                .containsEntry("consumer.max.poll.records", "500")
                .containsEntry("admin.request.timeout.ms", "9000")
                .containsEntry("num.stream.threads", "4")
                .doesNotContainKeys("not.a.kafka.key", "kafka.not.a.kafka.key");
    }

    @Test
    void aServiceWithoutKafkaTakesNoKafkaKeys() throws Exception {
        ConfigDef def = CommonConfig.defineElasticsearch(new ConfigDef());
        assertThat(ServiceConfigLoader.load(def, new String[0], Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "ELASTICSEARCH_URL", "https://es:9200")))
                .containsEntry("elasticsearch.url", "https://es:9200").doesNotContainKey("security.protocol");
    }

    @Test
    void configProvidersAreRegisteredUnlessTheUserChoseHisOwn() throws Exception {
        ConfigDef def = CommonConfig.defineElasticsearch(new ConfigDef());
        assertThat(ServiceConfigLoader.load(def, new String[0], Map.of())).containsEntry("config.providers",
                "file,directory,env");
        java.nio.file.Path file = java.nio.file.Files.writeString(java.nio.file.Files.createTempFile("svc", ".properties"),
                "config.providers=vault\nconfig.providers.vault.class=com.example.Vault\n");
        assertThat(ServiceConfigLoader.load(def, new String[] {file.toString()}, Map.of()))
                .containsEntry("config.providers", "vault").doesNotContainKey("config.providers.file.class");
    }
}
