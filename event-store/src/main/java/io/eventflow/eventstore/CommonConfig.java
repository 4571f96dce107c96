package io.eventflow.eventstore;

import java.util.List;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Config keys several services share, defined once: the services' config classes add them. */
public final class CommonConfig {
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String ELASTICSEARCH_URL = "elasticsearch.url";
    public static final String ELASTICSEARCH_API_KEY = "elasticsearch.api.key";
    public static final String ELASTICSEARCH_USERNAME = "elasticsearch.username";
    public static final String ELASTICSEARCH_PASSWORD = "elasticsearch.password";
    public static final String ELASTICSEARCH_SSL_CA = "elasticsearch.ssl.certificate.authorities";
    public static final String ELASTICSEARCH_SSL_CA_FINGERPRINT = "elasticsearch.ssl.ca.fingerprint";
    public static final String ELASTICSEARCH_SSL_VERIFICATION_MODE = "elasticsearch.ssl.verification.mode";
    public static final String INDEX_PREFIX = "elasticsearch.index.prefix";
    public static final String TOPIC_PARTITIONS = "topics.partitions";
    public static final String TOPIC_REPLICATION_FACTOR = "topics.replication.factor";
    public static final String TOPIC_MIN_INSYNC_REPLICAS = "topics.min.insync.replicas";
    public static final String DEAD_LETTER_TOPIC_RETENTION_MS = "dead.letter.topic.retention.ms";
    public static final String EVENTS_TOPIC_ALLOW_FINITE_RETENTION = "events.topic.allow.finite.retention";
    /** Seven days, Kafka's default retention. */
    public static final long SEVEN_DAYS_MS = 7L * 24 * 60 * 60 * 1000;
    public static final String INFRASTRUCTURE_RETRY_TIMEOUT_MS = "infrastructure.retry.timeout.ms";
    public static final String ELASTICSEARCH_REQUEST_TIMEOUT_MS = "elasticsearch.request.timeout.ms";
    public static final String DEAD_LETTER_DEPTH_REFRESH_MS = "dead.letter.depth.refresh.ms";
    /** Five minutes. */
    public static final long INFRASTRUCTURE_RETRY_TIMEOUT_MS_DEFAULT = 300_000L;

    private static final ConfigDef.Validator NON_EMPTY_LIST = ConfigDef.LambdaValidator.with((name, value) -> {
        if (value == null || ((List<?>) value).isEmpty()) {
            throw new ConfigException(name, value, "must name at least one host:port");
        }
    }, () -> "non-empty list");

    private static final ConfigDef.Validator REPLICATION_FACTOR = ConfigDef.LambdaValidator.with((name, value) -> {
        short rf = (Short) value;
        if (rf == 0 || rf < -1) {
            throw new ConfigException(name, value, "must be -1 (broker default) or at least 1");
        }
    }, () -> "-1 or at least 1");

    /** A topic's retention.ms: -1 (unlimited) or at least one minute. */
    public static final ConfigDef.Validator RETENTION_MS = ConfigDef.LambdaValidator.with((name, value) -> {
        long ms = (Long) value;
        if (ms != -1 && ms < 60_000) {
            throw new ConfigException(name, value, "must be -1 (unlimited) or at least 60000 (one minute)");
        }
    }, () -> "-1 or at least 60000");

    private static final ConfigDef.Validator MIN_INSYNC_REPLICAS = ConfigDef.LambdaValidator.with((name, value) -> {
        int n = (Integer) value;
        if (n == 0 || n < -1) {
            throw new ConfigException(name, value, "must be -1 (broker default) or at least 1");
        }
    }, () -> "-1 or at least 1");

    private CommonConfig() {
    }

    private static final List<String> CLIENT_PREFIXES = List.of("", "consumer.", "producer.", "admin.");

    /**
     * The keys of {@code originals} that neither the service ({@code ours}) nor a Kafka client
     * knows (bare, or with a {@code consumer.}, {@code producer.} or {@code admin.} prefix), nor
     * {@code moreKnown} accepts: a misspelt key is reported instead of silently dropped. Config
     * provider keys are known.
     */
    public static List<String> unknownKeys(java.util.Map<String, ?> originals, java.util.Set<String> ours,
            java.util.function.Predicate<String> moreKnown) {
        java.util.Set<String> client = new java.util.HashSet<>();
        client.addAll(org.apache.kafka.clients.consumer.ConsumerConfig.configNames());
        client.addAll(org.apache.kafka.clients.producer.ProducerConfig.configNames());
        client.addAll(org.apache.kafka.clients.admin.AdminClientConfig.configNames());
        return originals.keySet().stream().sorted().filter(key -> !ours.contains(key)
                && !key.startsWith("config.providers") && !moreKnown.test(key)
                && CLIENT_PREFIXES.stream().noneMatch(p -> key.startsWith(p) && client.contains(key.substring(p.length()))))
                .toList();
    }

    /** bootstrap.servers and schema.registry.url. */
    public static ConfigDef defineKafka(ConfigDef def) {
        return def
                .define(BOOTSTRAP_SERVERS, Type.LIST, "localhost:9092", NON_EMPTY_LIST, Importance.HIGH,
                        "Kafka brokers, host:port, comma separated. Env: KAFKA_BOOTSTRAP_SERVERS.")
                .define(SCHEMA_REGISTRY_URL, Type.STRING, "http://localhost:8081", new ConfigDef.NonEmptyString(),
                        Importance.HIGH, "Confluent-compatible schema registry base URL. Env: SCHEMA_REGISTRY_URL.");
    }

    /**
     * elasticsearch.url, its credentials and TLS keys (read together by {@link ElasticsearchSettings#from}),
     * and elasticsearch.index.prefix.
     */
    public static ConfigDef defineElasticsearch(ConfigDef def) {
        return def
                .define(ELASTICSEARCH_URL, Type.STRING, "http://localhost:9200", new ConfigDef.NonEmptyString(),
                        Importance.HIGH, "Elasticsearch node URL(s), comma separated, all http or all https; "
                                + "requests go round them and skip a node that fails. Env: ELASTICSEARCH_URL.")
                .define(ELASTICSEARCH_API_KEY, Type.PASSWORD, null, Importance.HIGH,
                        "API key sent as 'Authorization: ApiKey ...': the base64 'encoded' value Elasticsearch "
                                + "returns when it creates the key (id:api_key). Not with a username. Env: "
                                + "ELASTICSEARCH_API_KEY; from a file with ${file:path:key} or ${directory:dir:file}.")
                .define(ELASTICSEARCH_USERNAME, Type.STRING, null, Importance.HIGH,
                        "User for basic authentication (a file, native or LDAP realm user), with "
                                + ELASTICSEARCH_PASSWORD + ".")
                .define(ELASTICSEARCH_PASSWORD, Type.PASSWORD, null, Importance.HIGH,
                        "Password of " + ELASTICSEARCH_USERNAME + ". Env: ELASTICSEARCH_PASSWORD; never logged.")
                .define(ELASTICSEARCH_SSL_CA, Type.STRING, null, Importance.MEDIUM,
                        "Path of a PEM file of the CA certificate(s) that sign the nodes' HTTP certificates "
                                + "(e.g. config/certs/http_ca.crt). Unset: the JVM's trust store. https URLs only.")
                .define(ELASTICSEARCH_SSL_CA_FINGERPRINT, Type.STRING, null, Importance.MEDIUM,
                        "Instead of a CA file: the SHA-256 fingerprint (hex, colons allowed) of the CA "
                                + "certificate, as Elasticsearch prints it on its first start.")
                .define(ELASTICSEARCH_SSL_VERIFICATION_MODE, Type.STRING, "full",
                        ConfigDef.CaseInsensitiveValidString.in("full", "certificate"), Importance.LOW,
                        "full checks the certificate chain and that it names the host; certificate checks "
                                + "the chain only (nodes reached by an address their certificate does not name).")
                .define(INDEX_PREFIX, Type.STRING, "", Importance.LOW, "Prefix of every index, alias and template name.");
    }

    /**
     * elasticsearch.request.timeout.ms: the connect, socket (no byte for this long) and pool-wait
     * timeout of each Elasticsearch request, with the service's own default.
     */
    public static ConfigDef defineElasticsearchRequestTimeout(ConfigDef def, long defaultMs) {
        return def.define(ELASTICSEARCH_REQUEST_TIMEOUT_MS, Type.LONG, defaultMs, ConfigDef.Range.between(100, 600_000),
                Importance.MEDIUM, "Milliseconds one Elasticsearch request may wait to connect, for a free connection, "
                        + "or between two bytes of the answer before it fails as transient.");
    }

    /**
     * topics.partitions, topics.replication.factor, topics.min.insync.replicas and
     * dead.letter.topic.retention.ms, for the topics a service creates when missing, and
     * events.topic.allow.finite.retention, checked on an existing events topic at start-up. Check
     * the keys together with {@link #validateTopicCreation}.
     */
    public static ConfigDef defineTopicCreation(ConfigDef def) {
        return def
                .define(TOPIC_PARTITIONS, Type.INT, 3, ConfigDef.Range.atLeast(1), Importance.LOW,
                        "Partitions of the topics this service creates when they are missing.")
                .define(TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) -1, REPLICATION_FACTOR, Importance.LOW,
                        "Replication factor of the topics this service creates; -1 takes the broker default.")
                .define(TOPIC_MIN_INSYNC_REPLICAS, Type.INT, -1, MIN_INSYNC_REPLICAS, Importance.LOW,
                        "min.insync.replicas of the topics this service creates (with acks=all, a write fails "
                                + "rather than land on fewer replicas); -1 takes the broker default. At most "
                                + TOPIC_REPLICATION_FACTOR + " when both are set.")
                .define(DEAD_LETTER_TOPIC_RETENTION_MS, Type.LONG, 30L * 24 * 60 * 60 * 1000, RETENTION_MS,
                        Importance.LOW, "retention.ms of the dead-letter topic when this service creates it: how "
                                + "long a dead letter waits for someone to look at it. Milliseconds; default 30 "
                                + "days; -1 keeps them for ever.")
                .define(EVENTS_TOPIC_ALLOW_FINITE_RETENTION, Type.BOOLEAN, false, Importance.LOW,
                        "At start-up the service refuses an existing events topic that does not keep every event "
                                + "(finite retention.ms or retention.bytes, or cleanup.policy with compact), since "
                                + "rebuilds replay it from offset 0. true starts anyway, with a warning.");
    }

    /**
     * The checks across the keys of {@link #defineTopicCreation}: min.insync.replicas at most the
     * replication factor when both are set.
     *
     * @throws ConfigException naming the keys
     */
    public static void validateTopicCreation(AbstractConfig config) {
        short rf = config.getShort(TOPIC_REPLICATION_FACTOR);
        int minInsync = config.getInt(TOPIC_MIN_INSYNC_REPLICAS);
        if (rf > 0 && minInsync > rf) {
            throw new ConfigException(TOPIC_MIN_INSYNC_REPLICAS, minInsync, "must be at most "
                    + TOPIC_REPLICATION_FACTOR + " (" + rf + "), or no write could ever be acknowledged");
        }
    }

    /** infrastructure.retry.timeout.ms: how long a worker retries infrastructure faults before it stops. */
    public static ConfigDef defineInfrastructureRetry(ConfigDef def) {
        return def.define(INFRASTRUCTURE_RETRY_TIMEOUT_MS, Type.LONG, INFRASTRUCTURE_RETRY_TIMEOUT_MS_DEFAULT,
                ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                "How long, in milliseconds, a worker retries an infrastructure fault (schema registry unreachable, "
                        + "refusing the client or misconfigured, version skew; a dead-letter send that Kafka does not "
                        + "acknowledge) with backoff, its partition waiting, before it stops with an error naming the "
                        + "fault. Such faults never dead-letter a record; 0 stops at the first one.");
    }

    /** dead.letter.depth.refresh.ms: how often the dead-letter depth gauge reads the topics' offsets. */
    public static ConfigDef defineDeadLetterDepth(ConfigDef def) {
        return def.define(DEAD_LETTER_DEPTH_REFRESH_MS, Type.LONG, 30_000L, ConfigDef.Range.between(1_000, 3_600_000),
                Importance.LOW, "Milliseconds between two reads of the dead-letter topics' offsets for the gauge "
                        + DeadLetterDepth.METER + " (records in each dead-letter topic); a scrape never waits for one.");
    }
}
