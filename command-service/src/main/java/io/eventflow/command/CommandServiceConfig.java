package io.eventflow.command;

import io.eventflow.schemas.serde.SerdeConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The command-service's configuration, validated when constructed so bad config fails at start-up.
 * Kafka and Confluent key names; any other {@code StreamsConfig} key (with its usual prefixes such
 * as {@code producer.}) is passed through to Kafka Streams.
 */
public final class CommandServiceConfig extends AbstractConfig {
    public static final String BOOTSTRAP_SERVERS = StreamsConfig.BOOTSTRAP_SERVERS_CONFIG;
    public static final String APPLICATION_ID = StreamsConfig.APPLICATION_ID_CONFIG;
    public static final String SCHEMA_REGISTRY_URL = SerdeConfig.SCHEMA_REGISTRY_URL;
    public static final String ELASTICSEARCH_URL = "elasticsearch.url";
    public static final String INDEX_PREFIX = "elasticsearch.index.prefix";
    public static final String COMMANDS_TOPIC = "commands.topic";
    public static final String EVENTS_TOPIC = "events.topic";
    public static final String RESULTS_TOPIC = "results.topic";
    public static final String DEAD_LETTER_TOPIC = "dead.letter.topic";
    public static final String TOPIC_PARTITIONS = "topics.partitions";
    public static final String TOPIC_REPLICATION_FACTOR = "topics.replication.factor";
    public static final String STATE_DIR = StreamsConfig.STATE_DIR_CONFIG;

    private static final ConfigDef.Validator NON_EMPTY_LIST = ConfigDef.LambdaValidator.with((name, value) -> {
        if (value == null || ((java.util.List<?>) value).isEmpty()) {
            throw new org.apache.kafka.common.config.ConfigException(name, value, "must name at least one host:port");
        }
    }, () -> "non-empty list");

    static final ConfigDef DEF = new ConfigDef()
            .define(BOOTSTRAP_SERVERS, Type.LIST, "localhost:9092", NON_EMPTY_LIST, Importance.HIGH,
                    "Kafka brokers, host:port, comma separated. Env: KAFKA_BOOTSTRAP_SERVERS.")
            .define(APPLICATION_ID, Type.STRING, "eventflow-command-service", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Kafka Streams application id: consumer group, transactional id and internal topic prefix.")
            .define(SCHEMA_REGISTRY_URL, Type.STRING, "http://localhost:8081", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Confluent-compatible schema registry base URL. Env: SCHEMA_REGISTRY_URL.")
            .define(ELASTICSEARCH_URL, Type.STRING, "http://localhost:9200", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Elasticsearch URL, read to hydrate aggregates missing from the state store. Env: ELASTICSEARCH_URL.")
            .define(INDEX_PREFIX, Type.STRING, "", Importance.LOW, "Prefix of every index and alias name.")
            .define(COMMANDS_TOPIC, Type.STRING, "payment-commands", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Topic of Avro CommandEnvelope records keyed by aggregate id.")
            .define(EVENTS_TOPIC, Type.STRING, "payment-events", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Topic the accepted events are written to, keyed by aggregate id.")
            .define(RESULTS_TOPIC, Type.STRING, "payment-command-results", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Topic of one CommandResult per command.")
            .define(DEAD_LETTER_TOPIC, Type.STRING, "payment-commands-dlq", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Topic of records that cannot be decoded or handled, with dlq.* headers.")
            .define(TOPIC_PARTITIONS, Type.INT, 3, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Partitions of the topics this service creates when they are missing.")
            .define(TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) -1, Importance.LOW,
                    "Replication factor of the topics this service creates; -1 takes the broker default.")
            .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/eventflow-command-service",
                    Importance.LOW, "Directory of the local state stores.");

    public CommandServiceConfig(Map<?, ?> originals) {
        super(DEF, originals, false);
        if (getShort(TOPIC_REPLICATION_FACTOR) == 0 || getShort(TOPIC_REPLICATION_FACTOR) < -1) {
            throw new org.apache.kafka.common.config.ConfigException(TOPIC_REPLICATION_FACTOR,
                    getShort(TOPIC_REPLICATION_FACTOR), "must be -1 (broker default) or at least 1");
        }
    }

    public static ConfigDef configDef() {
        return new ConfigDef(DEF);
    }

    /** Kafka Streams properties: the pass-through keys, then ours, then exactly_once_v2. */
    Map<String, Object> streamsProperties() {
        Map<String, Object> props = new HashMap<>(originals());
        DEF.names().forEach(props::remove);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", getList(BOOTSTRAP_SERVERS)));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID));
        props.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR));
        props.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.putIfAbsent(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        return props;
    }
}
