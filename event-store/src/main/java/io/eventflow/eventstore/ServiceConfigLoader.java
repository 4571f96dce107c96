package io.eventflow.eventstore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Collects a service's configuration: an optional properties file, overridden by environment
 * variables named after the keys (upper case, dots and dashes to underscores:
 * {@code elasticsearch.url} = {@code ELASTICSEARCH_URL}). {@code bootstrap.servers} also reads
 * {@code KAFKA_BOOTSTRAP_SERVERS}. Keys unknown to the service's ConfigDef are passed through
 * from the file, so client overrides such as {@code consumer.max.poll.records} work.
 */
public final class ServiceConfigLoader {
    private ServiceConfigLoader() {
    }

    public static Map<String, Object> load(ConfigDef def, String[] args, Map<String, String> env) throws IOException {
        Map<String, Object> values = new HashMap<>();
        if (args.length > 0) {
            Properties file = new Properties();
            try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
                file.load(in);
            }
            file.forEach((k, v) -> values.put(k.toString(), v.toString()));
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
        return values;
    }

    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
