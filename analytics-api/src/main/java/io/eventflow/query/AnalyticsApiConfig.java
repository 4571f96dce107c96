package io.eventflow.query;

import io.eventflow.eventstore.CommonConfig;
import io.eventflow.query.auth.ApiKeys;
import io.eventflow.eventstore.EventStoreReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

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
    public static final String CURSOR_SECRETS = "cursor.secrets";
    public static final String CURSOR_TTL_MS = "cursor.ttl.ms";
    public static final String PIT_MAX_PER_TENANT = "search.pit.max.per.tenant";
    public static final String READ_WAIT_TIMEOUT_MS = "read.wait.timeout.ms";
    public static final String READ_WAIT_MAX_CONCURRENT = "read.wait.max.concurrent";
    public static final String CORS_ALLOWED_ORIGINS = "http.cors.allowed.origins";

    static final ConfigDef DEF = CommonConfig.defineElasticsearch(new ConfigDef())
            .define(HTTP_HOST, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Address the HTTP server binds to.")
            .define(HTTP_PORT, Type.INT, 8090, ConfigDef.Range.between(0, 65535), Importance.HIGH,
                    "HTTP port; 0 picks a free one. Env: HTTP_PORT.")
            .define(MAX_PAGE_SIZE, Type.INT, 1_000, ConfigDef.Range.between(1, 10_000), Importance.LOW,
                    "Largest 'size' a search may ask for.")
            .define(API_KEYS, Type.PASSWORD, "", new ApiKeysValidator(), Importance.HIGH,
                    "Comma-separated key:organizationId pairs; key:* makes an admin key that sees every "
                            + "organization. A key may be given as its digest instead, sha256:<64 hex digits>:org "
                            + "(printf %s KEY | sha256sum), so the configuration holds no usable key. Requests send "
                            + "the key in the X-API-Key header (or Authorization: Bearer); it is compared in constant "
                            + "time. With no keys configured every data request gets 401.")
            .define(CURSOR_SECRETS, Type.PASSWORD, "", new CursorSecretsValidator(), Importance.HIGH,
                    "Comma-separated secrets (at least 16 characters each) that sign pagination cursors "
                            + "(HMAC-SHA256). The first signs; all verify, so rotate by putting a new secret first and "
                            + "removing the old one after cursor.ttl.ms. Every instance behind one address needs the "
                            + "same list. Empty: a random secret per process (cursors then fail on another instance "
                            + "or after a restart; a warning says so).")
            .define(CURSOR_TTL_MS, Type.LONG, 900_000L, ConfigDef.Range.between(1_000, 86_400_000), Importance.LOW,
                    "How long a pagination cursor is accepted after it was issued, in milliseconds.")
            .define(PIT_MAX_PER_TENANT, Type.INT, 20, ConfigDef.Range.between(1, 10_000), Importance.LOW,
                    "Most Elasticsearch points in time (open paginated walks past their first page) one API "
                            + "key's tenant may hold on one instance; one more answers 429 with Retry-After.")
            .define(READ_WAIT_TIMEOUT_MS, Type.LONG, 5_000L, ConfigDef.Range.between(0, 60_000), Importance.MEDIUM,
                    "How long a read with minVersion waits for the read model or the history to reach that "
                            + "version before it answers 504 with Retry-After, in milliseconds.")
            .define(READ_WAIT_MAX_CONCURRENT, Type.INT, 64, ConfigDef.Range.between(1, 10_000), Importance.LOW,
                    "Most reads with minVersion waiting at once; one more answers 503 with Retry-After, so "
                            + "waiting reads cannot take every HTTP thread.")
            .define(CORS_ALLOWED_ORIGINS, Type.LIST, "", new OriginsValidator(), Importance.MEDIUM,
                    "Origins (scheme://host[:port]) whose web pages may call this API from a browser (CORS); "
                            + "* allows any origin. Empty: no cross-origin access (the dashboard at / is same-origin).")
            .define(CACHE_TTL_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "How long a query answer is cached, per tenant and normalized query; 0 turns the cache off.")
            .define(CACHE_MAX_ENTRIES, Type.LONG, 10_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Most answers the query cache holds.")
            .define(HISTORY_PAGE_SIZE, Type.INT, EventStoreReader.DEFAULT_PAGE_SIZE, ConfigDef.Range.between(1, 10_000),
                    Importance.LOW, "Events per Elasticsearch search when an aggregate's history is read; a long "
                            + "history takes several searches (search_after over version).");

    private final io.eventflow.eventstore.ElasticsearchSettings elasticsearch;

    public AnalyticsApiConfig(Map<?, ?> originals) {
        super(DEF, originals, false);
        this.elasticsearch = io.eventflow.eventstore.ElasticsearchSettings.from(this);
    }

    /** How to reach Elasticsearch: nodes, credentials, TLS (checked when the config was built). */
    io.eventflow.eventstore.ElasticsearchSettings elasticsearch() {
        return elasticsearch;
    }

    /** The configured API keys; fails like any other bad value if one is malformed. */
    ApiKeys apiKeys() {
        return ApiKeys.parse(getPassword(API_KEYS).value());
    }

    private static final class ApiKeysValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                ApiKeys.parse(value == null ? "" : ((Password) value).value());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, "[hidden]", e.getMessage());
            }
        }
    }

    /** The configured cursor secrets, as bytes; empty when none is configured. */
    List<byte[]> cursorSecrets() {
        return CursorSecretsValidator.secrets(getPassword(CURSOR_SECRETS).value());
    }

    private static final class CursorSecretsValidator implements ConfigDef.Validator {
        static List<byte[]> secrets(String spec) {
            List<byte[]> out = new ArrayList<>();
            if (spec != null && !spec.isBlank()) {
                for (String s : spec.split(",")) {
                    byte[] bytes = s.trim().getBytes(StandardCharsets.UTF_8);
                    if (bytes.length < 16) {
                        throw new IllegalArgumentException("each cursor secret must have at least 16 characters");
                    }
                    out.add(bytes);
                }
            }
            return out;
        }

        @Override
        public void ensureValid(String name, Object value) {
            try {
                secrets(value == null ? "" : ((Password) value).value());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, "[hidden]", e.getMessage());
            }
        }
    }

    private static final class OriginsValidator implements ConfigDef.Validator {
        private static final Pattern ORIGIN = Pattern.compile(
                "https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|\\*");

        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            List<String> origins = value == null ? List.of() : (List<String>) value;
            for (String o : origins) {
                if (!ORIGIN.matcher(o).matches()) {
                    throw new ConfigException(name, o,
                            "an origin is scheme://host[:port] with no path, such as https://dashboard.example.com, or *");
                }
            }
        }
    }

    public static ConfigDef configDef() {
        return new ConfigDef(DEF);
    }
}
