package io.eventflow.query;

import io.eventflow.eventstore.CommonConfig;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The analytics API's configuration, validated when constructed. */
public final class AnalyticsApiConfig extends AbstractConfig {
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";
    public static final String ELASTICSEARCH_URL = CommonConfig.ELASTICSEARCH_URL;
    public static final String INDEX_PREFIX = CommonConfig.INDEX_PREFIX;
    public static final String MAX_PAGE_SIZE = "search.max.size";

    static final ConfigDef DEF = CommonConfig.defineElasticsearch(new ConfigDef())
            .define(HTTP_HOST, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Address the HTTP server binds to.")
            .define(HTTP_PORT, Type.INT, 8090, ConfigDef.Range.between(0, 65535), Importance.HIGH,
                    "HTTP port; 0 picks a free one. Env: HTTP_PORT.")
            .define(MAX_PAGE_SIZE, Type.INT, 1_000, ConfigDef.Range.between(1, 10_000), Importance.LOW,
                    "Largest 'size' a search may ask for.");

    public AnalyticsApiConfig(Map<?, ?> originals) {
        super(DEF, originals, false);
    }

    public static ConfigDef configDef() {
        return new ConfigDef(DEF);
    }
}
