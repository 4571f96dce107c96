package io.eventflow.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ElasticsearchSettingsTest {
    private static final ConfigDef DEF = CommonConfig.defineElasticsearch(new ConfigDef());

    private static ElasticsearchSettings settings(Map<String, String> keys) {
        return ElasticsearchSettings.from(new AbstractConfig(DEF, keys, false));
    }

    @Test
    void anApiKeyIsSentAsItIsAndNeverShown() {
        var s = settings(Map.of("elasticsearch.url", "https://es-1:9200,https://es-2:9200", "elasticsearch.api.key",
                "c2VjcmV0LWlkOnNlY3JldC1rZXk="));
        assertThat(s.authorization()).contains("ApiKey c2VjcmV0LWlkOnNlY3JldC1rZXk=");
        assertThat(s.hosts()).extracting(h -> h.toURI()).containsExactly("https://es-1:9200", "https://es-2:9200");
        assertThat(s.credentialsKey()).isEqualTo("elasticsearch.api.key");
        assertThat(s.toString()).doesNotContain("c2VjcmV0").contains("elasticsearch.api.key");
    }

    @Test
    void aUserAndPasswordAreSentAsBasicAuthentication() {
        var s = settings(Map.of("elasticsearch.username", "projector", "elasticsearch.password", "p4ss:word"));
        assertThat(s.authorization()).contains("Basic " + Base64.getEncoder().encodeToString("projector:p4ss:word".getBytes()));
        assertThat(s.toString()).doesNotContain("p4ss");
        assertThat(settings(Map.of()).authorization()).isEmpty();
    }

    @Test
    void keysThatDoNotFitTogetherFailAtStartUpNamingTheKey() {
        assertThatThrownBy(() -> settings(Map.of("elasticsearch.api.key", "k", "elasticsearch.username", "u",
                "elasticsearch.password", "p"))).isInstanceOf(ConfigException.class).hasMessageContaining("not both")
                .hasMessageNotContaining("=k");
        assertThatThrownBy(() -> settings(Map.of("elasticsearch.username", "u")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("elasticsearch.password");
        assertThatThrownBy(() -> settings(Map.of("elasticsearch.password", "p")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("elasticsearch.username");
        assertThatThrownBy(() -> settings(Map.of("elasticsearch.ssl.ca.fingerprint", "ab:cd")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("use https URLs");
        assertThatThrownBy(() -> settings(Map.of("elasticsearch.url", "http://a:9200,https://b:9200")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mixes http and https");
        assertThatThrownBy(() -> settings(Map.of("elasticsearch.url", "https://elastic:changeme@a:9200")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must not hold credentials")
                .hasMessageNotContaining("changeme");
        assertThatThrownBy(() -> settings(Map.of("elasticsearch.url", "https://a:9200", "elasticsearch.ssl.certificate.authorities",
                "/ca.crt", "elasticsearch.ssl.ca.fingerprint", "ab"))).hasMessageContaining("not both");
        assertThatThrownBy(() -> settings(Map.of("elasticsearch.ssl.verification.mode", "none")))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void anUnreadableCaFileFailsAtStartUp() throws Exception {
        Path notPem = Files.writeString(Files.createTempFile("ca", ".crt"), "not a certificate");
        assertThatThrownBy(() -> settings(Map.of("elasticsearch.url", "https://a:9200",
                "elasticsearch.ssl.certificate.authorities", notPem.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("elasticsearch.ssl.certificate.authorities");
        assertThatThrownBy(() -> settings(Map.of("elasticsearch.url", "https://a:9200",
                "elasticsearch.ssl.certificate.authorities", "/no/such/ca.crt")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("/no/such/ca.crt");
    }

    @Test
    void aSecretCanComeFromAFileThroughAConfigProvider() throws Exception {
        Path dir = Files.createTempDirectory("secrets");
        Files.writeString(dir.resolve("es-password"), "from-a-file");
        Map<String, Object> keys = new HashMap<>(ServiceConfigLoader.load(DEF, new String[0],
                Map.of("ELASTICSEARCH_USERNAME", "u", "ELASTICSEARCH_PASSWORD", "${directory:" + dir + ":es-password}")));
        var s = ElasticsearchSettings.from(new AbstractConfig(DEF, keys, false));
        assertThat(s.authorization()).contains("Basic " + Base64.getEncoder().encodeToString("u:from-a-file".getBytes()));
    }
}
