package io.eventflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Confluent's registry-client keys: where credentials come from, and settings that do not fit. */
class SerdeConfigTest {
    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void credentialsComeFromTheUrlByDefaultFromUserInfoOrAsABearerToken() {
        assertThat(new SerdeConfig(Map.of("schema.registry.url", "http://u:p%40ss@registry:8081")).authorization())
                .contains(basic("u:p@ss"));
        assertThat(new SerdeConfig(Map.of("schema.registry.url", "http://registry:8081")).authorization()).isEmpty();
        assertThat(new SerdeConfig(Map.of("schema.registry.url", "http://u:ignored@registry:8081",
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "svc:secret")).authorization())
                .contains(basic("svc:secret"));
        assertThat(new SerdeConfig(Map.of("schema.registry.url", "http://registry:8081",
                "bearer.auth.credentials.source", "STATIC_TOKEN", "bearer.auth.token", "tok")).authorization())
                .contains("Bearer tok");
    }

    @Test
    void halfSetCredentialsFailNamingTheKeyAndNotTheSecret() {
        assertThatThrownBy(() -> new SerdeConfig(Map.of("schema.registry.url", "http://r",
                "basic.auth.credentials.source", "USER_INFO")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.user.info");
        assertThatThrownBy(() -> new SerdeConfig(Map.of("schema.registry.url", "http://r",
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "no-colon-secret")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("user:password")
                .hasMessageNotContaining("no-colon-secret");
        assertThatThrownBy(() -> new SerdeConfig(Map.of("schema.registry.url", "http://r",
                "bearer.auth.credentials.source", "STATIC_TOKEN")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bearer.auth.token");
        assertThatThrownBy(() -> new SerdeConfig(Map.of("schema.registry.url", "http://r",
                "basic.auth.credentials.source", "SASL_INHERIT"))).isInstanceOf(ConfigException.class);
    }

    @Test
    void tlsKeysAreKafkasSslKeysUnderTheRegistryPrefix() {
        assertThat(new SerdeConfig(Map.of("schema.registry.url", "https://r")).sslContext()).isEmpty();
        assertThatThrownBy(() -> new SerdeConfig(Map.of("schema.registry.url", "https://r",
                "schema.registry.ssl.truststore.location", "/no/such/truststore.p12",
                "schema.registry.ssl.truststore.password", "changeit")).sslContext())
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.ssl.truststore.location");
    }
}
