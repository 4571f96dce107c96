package io.eventflow.eventstore;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Config keys several services share, defined once: the services' config classes add them. */
public final class CommonConfig {
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String ELASTICSEARCH_URL = "elasticsearch.url";
    public static final String INDEX_PREFIX = "elasticsearch.index.prefix";
    public static final String TOPIC_PARTITIONS = "topics.partitions";
    public static final String TOPIC_REPLICATION_FACTOR = "topics.replication.factor";
    public static final String INFRASTRUCTURE_RETRY_TIMEOUT_MS = "infrastructure.retry.timeout.ms";
    public static final String ELASTICSEARCH_REQUEST_TIMEOUT_MS = "elasticsearch.request.timeout.ms";
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

    private CommonConfig() {
    }

    /** bootstrap.servers and schema.registry.url. */
    public static ConfigDef defineKafka(ConfigDef def) {
        return def
                .define(BOOTSTRAP_SERVERS, Type.LIST, "localhost:9092", NON_EMPTY_LIST, Importance.HIGH,
                        "Kafka brokers, host:port, comma separated. Env: KAFKA_BOOTSTRAP_SERVERS.")
                .define(SCHEMA_REGISTRY_URL, Type.STRING, "http://localhost:8081", new ConfigDef.NonEmptyString(),
                        Importance.HIGH, "Confluent-compatible schema registry base URL. Env: SCHEMA_REGISTRY_URL.");
    }

    /** elasticsearch.url and elasticsearch.index.prefix. */
    public static ConfigDef defineElasticsearch(ConfigDef def) {
        return def
                .define(ELASTICSEARCH_URL, Type.STRING, "http://localhost:9200", new ConfigDef.NonEmptyString(),
                        Importance.HIGH, "Elasticsearch URL(s), comma separated. Env: ELASTICSEARCH_URL.")
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

    /** topics.partitions and topics.replication.factor, for the topics a service creates when missing. */
    public static ConfigDef defineTopicCreation(ConfigDef def) {
        return def
                .define(TOPIC_PARTITIONS, Type.INT, 3, ConfigDef.Range.atLeast(1), Importance.LOW,
                        "Partitions of the topics this service creates when they are missing.")
                .define(TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) -1, REPLICATION_FACTOR, Importance.LOW,
                        "Replication factor of the topics this service creates; -1 takes the broker default.");
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
}
