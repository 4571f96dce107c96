package io.eventflow.eventstore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Collects a service's configuration: an optional properties file, overridden by environment
 * variables.
 * <ul>
 *   <li>The service's own keys: upper case, dots and dashes to underscores ({@code elasticsearch.url}
 *       = {@code ELASTICSEARCH_URL}); {@code bootstrap.servers} also reads {@code KAFKA_BOOTSTRAP_SERVERS}.
 *   <li>In a service that talks to Kafka, any Kafka client key, prefixed {@code KAFKA_}:
 *       {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_JAAS_CONFIG}, and with a client's prefix,
 *       {@code KAFKA_CONSUMER_MAX_POLL_RECORDS} = {@code consumer.max.poll.records}.
 * </ul>
 * Keys unknown to the service's ConfigDef are passed through from the file, so client overrides
 * work there too. Unless {@code config.providers} is set, Kafka's {@code file}, {@code directory}
 * and {@code env} config providers are registered, so a secret can stay out of the configuration:
 * {@code elasticsearch.password=${file:/run/secrets/es.properties:password}} or
 * {@code ${directory:/run/secrets:es-password}}.
 */
public final class ServiceConfigLoader {
    static final String KAFKA_ENV_PREFIX = "KAFKA_";
    private static final String CONFIG_PROVIDERS = "config.providers";

    private ServiceConfigLoader() {
    }

    public static Map<String, Object> load(ConfigDef def, String[] args, Map<String, String> env) throws IOException {
        return load(def, args, env, Set.of());
    }

    /**
     * As {@link #load(ConfigDef, String[], Map)}, {@code moreKafkaKeys} also read as {@code KAFKA_<KEY>}
     * (e.g. Kafka Streams' own keys).
     */
    public static Map<String, Object> load(ConfigDef def, String[] args, Map<String, String> env,
            Set<String> moreKafkaKeys) throws IOException {
        Map<String, Object> values = new HashMap<>();
        if (args.length > 0) {
            Properties file = new Properties();
            try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
                file.load(in);
            }
            file.forEach((k, v) -> values.put(k.toString(), v.toString()));
        }
        if (def.names().contains(CommonConfig.BOOTSTRAP_SERVERS)) {
            Map<String, String> kafkaKeys = kafkaEnvNames();
            moreKafkaKeys.forEach(k -> kafkaKeys.put(KAFKA_ENV_PREFIX + envName(k), k));
            env.forEach((name, value) -> {
                String key = kafkaKeys.get(name);
                if (key != null && !def.names().contains(key)) {
                    values.put(key, value);
                }
            });
        }
        for (String key : def.names()) {
            String value = env.get(envName(key));
            if (value == null && key.equals("bootstrap.servers")) {
                value = env.get("KAFKA_BOOTSTRAP_SERVERS");
            }
            if (value != null) {
                values.put(key, value);
            }
        }
        if (!values.containsKey(CONFIG_PROVIDERS)) {
            values.put(CONFIG_PROVIDERS, "file,directory,env");
            values.put(CONFIG_PROVIDERS + ".file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
            values.put(CONFIG_PROVIDERS + ".directory.class",
                    "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
            values.put(CONFIG_PROVIDERS + ".env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
        }
        return values;
    }

    /** {@code KAFKA_<KEY>} of every consumer, producer and admin client key, bare and with its client's prefix. */
    static Map<String, String> kafkaEnvNames() {
        Set<String> keys = new HashSet<>();
        keys.addAll(ConsumerConfig.configNames());
        keys.addAll(ProducerConfig.configNames());
        keys.addAll(AdminClientConfig.configNames());
        Map<String, String> out = new HashMap<>();
        for (String key : keys) {
            out.put(KAFKA_ENV_PREFIX + envName(key), key);
        }
        ConsumerConfig.configNames().forEach(k -> out.put(KAFKA_ENV_PREFIX + envName("consumer." + k), "consumer." + k));
        ProducerConfig.configNames().forEach(k -> out.put(KAFKA_ENV_PREFIX + envName("producer." + k), "producer." + k));
        AdminClientConfig.configNames().forEach(k -> out.put(KAFKA_ENV_PREFIX + envName("admin." + k), "admin." + k));
        return out;
    }

    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
