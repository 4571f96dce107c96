package io.eventflow.schemas.serde;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Serde configuration, with Confluent's key names so existing client configs carry over. */
public final class SerdeConfig extends AbstractConfig {
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String SCHEMA_REGISTRY_TIMEOUT_MS = "schema.registry.request.timeout.ms";

    public static final ConfigDef DEF = new ConfigDef()
            .define(SCHEMA_REGISTRY_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Comma-separated base URLs of a Confluent-compatible schema registry, "
                            + "e.g. http://localhost:8081 or http://localhost:8080/apis/ccompat/v7.")
            .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Register the writer schema under the TopicNameStrategy subject when serializing. "
                            + "When false the schema must already be registered.")
            .define(SCHEMA_REGISTRY_TIMEOUT_MS, Type.INT, 10_000, ConfigDef.Range.between(100, 300_000),
                    Importance.LOW, "Timeout of one registry request, in milliseconds.");

    public SerdeConfig(Map<?, ?> originals) {
        super(DEF, originals, false);
    }

    public SchemaRegistryClient newClient() {
        return new RestSchemaRegistryClient(getString(SCHEMA_REGISTRY_URL),
                Duration.ofMillis(getInt(SCHEMA_REGISTRY_TIMEOUT_MS)));
    }

    /** TopicNameStrategy: {@code <topic>-key} or {@code <topic>-value}. */
    static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
