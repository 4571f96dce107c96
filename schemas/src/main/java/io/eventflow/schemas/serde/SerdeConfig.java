package io.eventflow.schemas.serde;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.ssl.DefaultSslEngineFactory;

/**
 * Serde and registry client configuration, with Confluent's key names so existing client configs
 * carry over: {@code schema.registry.url}, {@code basic.auth.credentials.source} ({@code URL} or
 * {@code USER_INFO}) with {@code basic.auth.user.info}, {@code bearer.auth.credentials.source}
 * ({@code STATIC_TOKEN}) with {@code bearer.auth.token}, and {@code schema.registry.ssl.*} (Kafka's
 * {@code ssl.*} client keys: trust store, key store for mutual TLS, PEM or JKS or PKCS12).
 * Immutable.
 */
public final class SerdeConfig extends AbstractConfig {
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String SCHEMA_REGISTRY_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_AUTH_CREDENTIALS_SOURCE = "bearer.auth.credentials.source";
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    /** Prefix of the registry's TLS keys: {@code schema.registry.ssl.truststore.location} and the like. */
    public static final String SSL_PREFIX = "schema.registry.";

    /**
     * The registry client's keys but its URL: credentials and TLS. A service's config class adds
     * them (so they are validated at start-up and read from the environment) and hands its
     * originals to {@link #SerdeConfig(Map)} through {@link #clientOriginals}.
     */
    public static ConfigDef defineClient(ConfigDef def) {
        def.define(BASIC_AUTH_CREDENTIALS_SOURCE, Type.STRING, "URL",
                        ConfigDef.CaseInsensitiveValidString.in("URL", "USER_INFO"), Importance.MEDIUM,
                        "Where the registry's basic-auth credentials come from: URL (user:password@ in "
                                + SCHEMA_REGISTRY_URL + ", if any) or USER_INFO (" + BASIC_AUTH_USER_INFO + ").")
                .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
                        "user:password for the registry, with " + BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO. "
                                + "Env: BASIC_AUTH_USER_INFO; never logged.")
                .define(BEARER_AUTH_CREDENTIALS_SOURCE, Type.STRING, null, ConfigDef.LambdaValidator.with(
                        (name, value) -> {
                            if (value != null && !"STATIC_TOKEN".equalsIgnoreCase(value.toString())) {
                                throw new ConfigException(name, value, "only STATIC_TOKEN is supported");
                            }
                        }, () -> "STATIC_TOKEN or unset"), Importance.MEDIUM,
                        "STATIC_TOKEN sends " + BEARER_AUTH_TOKEN + " as 'Authorization: Bearer ...' instead of "
                                + "basic auth.")
                .define(BEARER_AUTH_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
                        "The registry's bearer token, with " + BEARER_AUTH_CREDENTIALS_SOURCE + "=STATIC_TOKEN. "
                                + "Env: BEARER_AUTH_TOKEN; never logged.");
        def.embed(SSL_PREFIX, "registry", 0, new ConfigDef().withClientSslSupport());
        return def;
    }

    public static final ConfigDef DEF = defineClient(new ConfigDef()
            .define(SCHEMA_REGISTRY_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Comma-separated base URLs of a Confluent-compatible schema registry, "
                            + "e.g. http://localhost:8081 or http://localhost:8080/apis/ccompat/v7.")
            .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Register the writer schema under the TopicNameStrategy subject when serializing. "
                            + "When false the schema must already be registered.")
            .define(SCHEMA_REGISTRY_TIMEOUT_MS, Type.INT, 10_000, ConfigDef.Range.between(100, 300_000),
                    Importance.LOW, "Timeout of one registry request, in milliseconds."));

    public SerdeConfig(Map<?, ?> originals) {
        super(DEF, originals, false);
        authorization(); // a half-set credential fails now, naming the key
    }

    /**
     * The registry client's settings of a service whose config defines {@code schema.registry.url}
     * and {@link #defineClient}'s keys: its URL (default included) and the client keys it was given.
     *
     * @throws ConfigException when they do not fit together
     */
    public static SerdeConfig forService(AbstractConfig service) {
        Map<String, Object> out = new HashMap<>();
        service.originals().forEach((key, value) -> {
            if (DEF.names().contains(key)) {
                out.put(key, value);
            }
        });
        out.put(SCHEMA_REGISTRY_URL, service.getString(SCHEMA_REGISTRY_URL));
        return new SerdeConfig(out);
    }

    public SchemaRegistryClient newClient() {
        return new RestSchemaRegistryClient(getString(SCHEMA_REGISTRY_URL),
                Duration.ofMillis(getInt(SCHEMA_REGISTRY_TIMEOUT_MS)), authorization(), sslContext());
    }

    /**
     * A client whose access was checked ({@link SchemaRegistryClient#checkAccess}): for a service's
     * start-up. Closed again when the check throws.
     *
     * @throws IllegalStateException when the registry refuses the credentials or the TLS settings
     */
    public SchemaRegistryClient newCheckedClient() {
        SchemaRegistryClient client = newClient();
        try {
            client.checkAccess();
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** The Authorization header value the settings ask for, if any. A secret. */
    Optional<String> authorization() {
        if (getString(BEARER_AUTH_CREDENTIALS_SOURCE) != null) {
            Password token = getPassword(BEARER_AUTH_TOKEN);
            if (token == null || token.value().isBlank()) {
                throw new ConfigException(BEARER_AUTH_TOKEN, null, "is needed with "
                        + BEARER_AUTH_CREDENTIALS_SOURCE + "=STATIC_TOKEN");
            }
            return Optional.of("Bearer " + token.value().trim());
        }
        String userInfo;
        if (getString(BASIC_AUTH_CREDENTIALS_SOURCE).equalsIgnoreCase("USER_INFO")) {
            Password info = getPassword(BASIC_AUTH_USER_INFO);
            if (info == null || !info.value().contains(":")) {
                throw new ConfigException(BASIC_AUTH_USER_INFO, info == null ? null : "[hidden]",
                        "must be user:password with " + BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO");
            }
            userInfo = info.value();
        } else {
            userInfo = null;
            for (String url : getString(SCHEMA_REGISTRY_URL).split(",")) {
                String raw = url.isBlank() ? null : URI.create(url.trim()).getRawUserInfo();
                if (raw != null) {
                    userInfo = java.net.URLDecoder.decode(raw, StandardCharsets.UTF_8);
                    break;
                }
            }
            if (userInfo == null) {
                return Optional.empty();
            }
        }
        return Optional.of("Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
    }

    /** The TLS context of {@code schema.registry.ssl.*}, when a URL is https and any of them is set. */
    Optional<SSLContext> sslContext() {
        Map<String, Object> ssl = new HashMap<>();
        values().forEach((key, value) -> {
            if (key.startsWith(SSL_PREFIX + "ssl.")) {
                ssl.put(key.substring(SSL_PREFIX.length()), value);
            }
        });
        boolean anySet = originals().keySet().stream().anyMatch(k -> k.startsWith(SSL_PREFIX + "ssl."));
        if (!anySet) {
            return Optional.empty();
        }
        var factory = new DefaultSslEngineFactory();
        try {
            factory.configure(ssl);
            return Optional.of(factory.sslContext());
        } catch (RuntimeException e) {
            throw new ConfigException(SSL_PREFIX + SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
                    ssl.get(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG), "the registry's TLS settings cannot be used: "
                    + e.getMessage());
        }
    }

    /** TopicNameStrategy: {@code <topic>-key} or {@code <topic>-value}. */
    static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
