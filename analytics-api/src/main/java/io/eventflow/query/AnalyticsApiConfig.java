package io.eventflow.query;

import io.eventflow.eventstore.CommonConfig;
import io.eventflow.query.auth.ApiKeys;
import io.eventflow.eventstore.EventStoreReader;
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
    public static final String API_KEYS = "api.keys";
    public static final String CACHE_TTL_MS = "query.cache.ttl.ms";
    public static final String CACHE_MAX_ENTRIES = "query.cache.max.entries";
    public static final String HISTORY_PAGE_SIZE = "history.page.size";

    static final ConfigDef DEF = CommonConfig.defineElasticsearch(new ConfigDef())
            .define(HTTP_HOST, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Address the HTTP server binds to.")
            .define(HTTP_PORT, Type.INT, 8090, ConfigDef.Range.between(0, 65535), Importance.HIGH,
                    "HTTP port; 0 picks a free one. Env: HTTP_PORT.")
            .define(MAX_PAGE_SIZE, Type.INT, 1_000, ConfigDef.Range.between(1, 10_000), Importance.LOW,
                    "Largest 'size' a search may ask for.")
            .define(API_KEYS, Type.PASSWORD, "", new ApiKeysValidator(), Importance.HIGH,
                    "Comma-separated key:organizationId pairs; key:* makes an admin key that sees every "
                            + "organization. Requests send the key in the X-API-Key header (or Authorization: "
                            + "Bearer). With no keys configured every data request gets 401.")
            .define(CACHE_TTL_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "How long a query answer is cached, per tenant and normalized query; 0 turns the cache off.")
            .define(CACHE_MAX_ENTRIES, Type.LONG, 10_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Most answers the query cache holds.")
            .define(HISTORY_PAGE_SIZE, Type.INT, EventStoreReader.DEFAULT_PAGE_SIZE, ConfigDef.Range.between(1, 10_000),
                    Importance.LOW, "Events per Elasticsearch search when an aggregate's history is read; a long "
                            + "history takes several searches (search_after over version).");

    public AnalyticsApiConfig(Map<?, ?> originals) {
        super(DEF, originals, false);
    }

    /** The configured API keys; fails like any other bad value if one is malformed. */
    ApiKeys apiKeys() {
        return ApiKeys.parse(getPassword(API_KEYS).value());
    }

    private static final class ApiKeysValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                ApiKeys.parse(value == null ? "" : ((org.apache.kafka.common.config.types.Password) value).value());
            } catch (IllegalArgumentException e) {
                throw new org.apache.kafka.common.config.ConfigException(name, "[hidden]", e.getMessage());
            }
        }
    }

    public static ConfigDef configDef() {
        return new ConfigDef(DEF);
    }
}
