package io.eventflow.command;

import io.eventflow.aggregate.AggregateNames;
import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.AggregateTypes;
import io.eventflow.aggregate.TypeTopicKeys;
import io.eventflow.command.pipeline.BoundedRocksDbMemory;
import io.eventflow.command.pipeline.CommandTopology;
import io.eventflow.command.pipeline.Idempotency;
import io.eventflow.eventstore.CommonConfig;
import io.eventflow.eventstore.ElasticsearchSettings;
import io.eventflow.schemas.serde.SerdeConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The command-service's configuration, validated when constructed so bad config fails at start-up.
 * Kafka and Confluent key names; any other {@code StreamsConfig} key (with its usual prefixes such
 * as {@code producer.}) is passed through to Kafka Streams.
 *
 * <p>Topics are per aggregate type: {@code <readModel>.commands.topic}, {@code .events.topic},
 * {@code .results.topic} and {@code .dead.letter.topic} (e.g. {@code payments.commands.topic}),
 * defaulting to the type's conventional names ({@code payment-commands}...). The un-prefixed
 * {@code commands.topic}, {@code events.topic}, {@code results.topic} and {@code dead.letter.topic}
 * of earlier releases still name the payments type's topics: they are aliases of the
 * {@code payments.*} keys, and setting both to different names fails at start-up.
 * {@code aggregate.types} chooses which of the wired types run. Immutable.
 */
public final class CommandServiceConfig extends AbstractConfig {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CommandServiceConfig.class);
    public static final String BOOTSTRAP_SERVERS = CommonConfig.BOOTSTRAP_SERVERS;
    public static final String APPLICATION_ID = StreamsConfig.APPLICATION_ID_CONFIG;
    public static final String SCHEMA_REGISTRY_URL = CommonConfig.SCHEMA_REGISTRY_URL;
    public static final String ELASTICSEARCH_URL = CommonConfig.ELASTICSEARCH_URL;
    public static final String INDEX_PREFIX = CommonConfig.INDEX_PREFIX;
    /** Alias of {@code payments.commands.topic}, kept from before aggregate types. */
    public static final String COMMANDS_TOPIC = "commands.topic";
    /** Alias of {@code payments.events.topic}. */
    public static final String EVENTS_TOPIC = "events.topic";
    /** Alias of {@code payments.results.topic}. */
    public static final String RESULTS_TOPIC = "results.topic";
    /** Alias of {@code payments.dead.letter.topic}. */
    public static final String DEAD_LETTER_TOPIC = "dead.letter.topic";
    public static final String AGGREGATE_TYPES = TypeTopicKeys.AGGREGATE_TYPES;
    public static final String TOPIC_PARTITIONS = CommonConfig.TOPIC_PARTITIONS;
    public static final String TOPIC_REPLICATION_FACTOR = CommonConfig.TOPIC_REPLICATION_FACTOR;
    public static final String TOPIC_MIN_INSYNC_REPLICAS = CommonConfig.TOPIC_MIN_INSYNC_REPLICAS;
    public static final String COMMANDS_TOPIC_RETENTION_MS = "commands.topic.retention.ms";
    public static final String RESULTS_TOPIC_RETENTION_MS = "results.topic.retention.ms";
    public static final String DEAD_LETTER_TOPIC_RETENTION_MS = CommonConfig.DEAD_LETTER_TOPIC_RETENTION_MS;
    public static final String DEAD_LETTER_DEPTH_REFRESH_MS = CommonConfig.DEAD_LETTER_DEPTH_REFRESH_MS;
    public static final String EVENTS_TOPIC_ALLOW_FINITE_RETENTION = CommonConfig.EVENTS_TOPIC_ALLOW_FINITE_RETENTION;
    public static final String STATE_DIR = StreamsConfig.STATE_DIR_CONFIG;
    public static final String METRICS_PORT = "metrics.port";
    public static final String IDEMPOTENCY_WINDOW_MS = "idempotency.window.ms";
    public static final String IDEMPOTENCY_MAX_COMMANDS = "idempotency.max.commands.per.aggregate";
    public static final String IDEMPOTENCY_MAX_BYTES = "idempotency.max.bytes.per.aggregate";
    public static final String INFRASTRUCTURE_RETRY_TIMEOUT_MS = CommonConfig.INFRASTRUCTURE_RETRY_TIMEOUT_MS;
    public static final String ELASTICSEARCH_REQUEST_TIMEOUT_MS = CommonConfig.ELASTICSEARCH_REQUEST_TIMEOUT_MS;
    public static final String PROCESSING_DEADLINE_MS = "processing.deadline.ms";
    /** Kafka Streams' transaction.timeout.ms under exactly-once unless set. */
    static final long STREAMS_EOS_TRANSACTION_TIMEOUT_MS = 10_000L;

    private static final ConfigDef BASE = CommonConfig.defineElasticsearchRequestTimeout(CommonConfig.defineDeadLetterDepth(
            CommonConfig.defineInfrastructureRetry(CommonConfig.defineTopicCreation(CommonConfig.defineElasticsearch(
                    SerdeConfig.defineClient(CommonConfig.defineKafka(new ConfigDef())))))),
                    CommandTopology.DEFAULT_REQUEST_TIMEOUT.toMillis())
            .define(PROCESSING_DEADLINE_MS, Type.LONG, CommandTopology.DEFAULT_DEADLINE.toMillis(),
                    ConfigDef.Range.between(100, 600_000), Importance.MEDIUM,
                    "Milliseconds a stream thread may spend on Elasticsearch between two polls (the prefetch and the "
                            + "records' searches, retries included), and the longest one record retries an unreachable "
                            + "registry. At most half the producer's transaction.timeout.ms (10000 by default under "
                            + "exactly-once), so a slow Elasticsearch cannot keep a transaction open until the broker "
                            + "aborts it and fences the producer. When it is spent the record is retried later from the "
                            + "last commit, never answered.")
            .define(APPLICATION_ID, Type.STRING, "eventflow-command-service", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Kafka Streams application id: consumer group, transactional id and internal topic prefix.")
            .define(COMMANDS_TOPIC_RETENTION_MS, Type.LONG, CommonConfig.SEVEN_DAYS_MS, CommonConfig.RETENTION_MS,
                    Importance.LOW, "retention.ms of the commands topic when this service creates it: a command "
                            + "not handled within it (the service down that long) is lost. Milliseconds; default 7 "
                            + "days; -1 keeps them for ever.")
            .define(RESULTS_TOPIC_RETENTION_MS, Type.LONG, CommonConfig.SEVEN_DAYS_MS, CommonConfig.RETENTION_MS,
                    Importance.LOW, "retention.ms of the results topic when this service creates it: how long a "
                            + "client can still read a command's result. At least " + "idempotency.window.ms"
                            + " (or -1), so a result outlives the window in which a retry is answered with it. "
                            + "Milliseconds; default 7 days.")
            .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/eventflow-command-service",
                    Importance.LOW, "Directory of the local state stores.")
            .define(METRICS_PORT, Type.INT, 9405, ConfigDef.Range.between(-1, 65535), Importance.LOW,
                    "Port of the Prometheus endpoint GET /metrics; 0 picks a free port, -1 turns it off.")
            .define(IDEMPOTENCY_WINDOW_MS, Type.LONG, 7L * 24 * 60 * 60 * 1000, ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM, "How long a commandId is remembered: a retry within this window gets the "
                            + "first result again and takes no effect. Milliseconds; default 7 days.")
            .define(IDEMPOTENCY_MAX_COMMANDS, Type.INT, 100, ConfigDef.Range.between(0, 10_000), Importance.LOW,
                    "At most this many recent commandIds are remembered per aggregate (the newest); 0 turns "
                            + "deduplication off.")
            .define(IDEMPOTENCY_MAX_BYTES, Type.INT, Idempotency.DEFAULT_MAX_BYTES, ConfigDef.Range.between(4096, 512 * 1024),
                    Importance.LOW, "Byte budget of one aggregate's stored value (its state and remembered results): "
                            + "the oldest results are forgotten first, and a command whose own result cannot fit is "
                            + "REJECTED with STATE_LIMIT_EXCEEDED. Keeps every changelog record far below Kafka's "
                            + "message size.");

    private final ConfigDef def;
    private final AggregateTypes wired;
    private final Map<String, CommandTopology.Topics> topics;
    private final ElasticsearchSettings elasticsearch;
    private final SerdeConfig registry;

    /** How to reach Elasticsearch: nodes, credentials, TLS (checked when the config was built). */
    ElasticsearchSettings elasticsearch() {
        return elasticsearch;
    }

    /** The registry client's settings: URL, credentials, TLS (checked when the config was built). */
    SerdeConfig registry() {
        return registry;
    }

    /** With the aggregate types the command-service is wired with ({@link CommandService#AGGREGATE_TYPES}). */
    public CommandServiceConfig(Map<?, ?> originals) {
        this(CommandService.AGGREGATE_TYPES, originals);
    }

    /** @param types the wired aggregate types: each gets its topic keys */
    public CommandServiceConfig(AggregateTypes types, Map<?, ?> originals) {
        this(types, define(types), originals);
    }

    private CommandServiceConfig(AggregateTypes types, ConfigDef def, Map<?, ?> originals) {
        super(def, originals, false);
        this.def = def;
        this.wired = types;
        this.topics = resolveTopics();
        CommonConfig.validateTopicCreation(this);
        this.elasticsearch = ElasticsearchSettings.from(this);
        this.registry = SerdeConfig.forService(this);
        for (String key : unknownKeys()) {
            log.warn("configuration key {} is ignored: neither the command-service nor Kafka Streams knows it", key);
        }
        long results = getLong(RESULTS_TOPIC_RETENTION_MS);
        long window = getLong(IDEMPOTENCY_WINDOW_MS);
        if (results != -1 && results < window) {
            throw new ConfigException(RESULTS_TOPIC_RETENTION_MS, results, "must be -1 or at least "
                    + IDEMPOTENCY_WINDOW_MS + " (" + window + "): a retry within the window is answered with a "
                    + "result the topic would already have deleted");
        }
        long deadline = getLong(PROCESSING_DEADLINE_MS);
        long request = getLong(ELASTICSEARCH_REQUEST_TIMEOUT_MS);
        if (request > deadline) {
            throw new ConfigException(ELASTICSEARCH_REQUEST_TIMEOUT_MS, request, "must not exceed "
                    + PROCESSING_DEADLINE_MS + " (" + deadline + " ms): one request could not finish within the deadline");
        }
        long transaction = transactionTimeoutMs();
        if (deadline * 2 > transaction) {
            throw new ConfigException(PROCESSING_DEADLINE_MS, deadline, "must be at most half the producer's "
                    + "transaction.timeout.ms (" + transaction + " ms), or a slow Elasticsearch keeps transactions open "
                    + "until the broker aborts them and fences the producer; lower it, or raise "
                    + StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG));
        }
    }

    /** The keys given that neither this service nor Kafka Streams and its clients know. */
    List<String> unknownKeys() {
        return CommonConfig.unknownKeys(originals(), def.names(), CommandServiceConfig::isStreamsKey);
    }

    /** A Kafka Streams key, bare or with one of the prefixes Streams hands to its clients and topics. */
    private static boolean isStreamsKey(String key) {
        if (StreamsConfig.configDef().names().contains(key) || key.equals(BoundedRocksDbMemory.MEMORY_CONFIG)) {
            return true;
        }
        for (String prefix : List.of(StreamsConfig.MAIN_CONSUMER_PREFIX, StreamsConfig.RESTORE_CONSUMER_PREFIX,
                StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.TOPIC_PREFIX)) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The producer's transaction.timeout.ms as Kafka Streams will set it. */
    long transactionTimeoutMs() {
        Object v = originals().get(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG));
        if (v == null) {
            v = originals().get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        }
        if (v == null) {
            return STREAMS_EOS_TRANSACTION_TIMEOUT_MS;
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, v, "must be a number of milliseconds");
        }
    }

    /** The keys of the wired aggregate types ({@link CommandService#AGGREGATE_TYPES}). */
    public static ConfigDef configDef() {
        return define(CommandService.AGGREGATE_TYPES);
    }

    /** The common keys, plus each type's topic keys and {@code aggregate.types}. */
    static ConfigDef define(AggregateTypes types) {
        return topicKeys(types).define(BASE);
    }

    private static TypeTopicKeys topicKeys(AggregateTypes types) {
        return new TypeTopicKeys(types, List.of(
                new TypeTopicKeys.Key(COMMANDS_TOPIC, AggregateNames::commandsTopic,
                        "topic of Avro command envelopes, keyed by aggregate id."),
                new TypeTopicKeys.Key(EVENTS_TOPIC, AggregateNames::eventsTopic,
                        "topic accepted events are written to, keyed by aggregate id: its system of record."),
                new TypeTopicKeys.Key(RESULTS_TOPIC, AggregateNames::resultsTopic,
                        "topic of one CommandResult per command."),
                new TypeTopicKeys.Key(DEAD_LETTER_TOPIC, AggregateNames::commandsDeadLetterTopic,
                        "topic of command records that cannot be decoded or handled, with dlq.* headers.")));
    }

    /**
     * The aggregate types to run (aggregate.types), in wiring order, with their topics.
     */
    public List<CommandTopology.Lane> lanes() {
        List<CommandTopology.Lane> lanes = new ArrayList<>();
        for (AggregateType<?, ?, ?> t : wired.all()) {
            CommandTopology.Topics ts = topics.get(t.names().readModel());
            if (ts != null) {
                lanes.add(new CommandTopology.Lane(t, ts));
            }
        }
        return lanes;
    }

    /** The topics of the running types, by read model; validates aliases, choice of types and distinct names. */
    private Map<String, CommandTopology.Topics> resolveTopics() {
        Map<String, CommandTopology.Topics> out = new LinkedHashMap<>();
        topicKeys(wired).resolve(this).forEach((rm, t) -> out.put(rm, new CommandTopology.Topics(t.get(COMMANDS_TOPIC),
                t.get(EVENTS_TOPIC), t.get(RESULTS_TOPIC), t.get(DEAD_LETTER_TOPIC))));
        return out;
    }

    /**
     * Properties of the admin client that creates and checks the topics: the pass-through keys that
     * apply to an admin client (security.protocol, sasl.*, ssl.*, client.dns.lookup...), then the
     * {@code admin.}-prefixed ones, as Kafka Streams builds its own admin client.
     */
    Map<String, Object> adminProperties() {
        Map<String, Object> streams = streamsProperties();
        Map<String, Object> props = new HashMap<>();
        Set<String> adminKeys = AdminClientConfig.configNames();
        streams.forEach((key, value) -> {
            if (adminKeys.contains(key)) {
                props.put(key, value);
            }
        });
        streams.forEach((key, value) -> {
            if (key.startsWith(StreamsConfig.ADMIN_CLIENT_PREFIX)
                    && adminKeys.contains(key.substring(StreamsConfig.ADMIN_CLIENT_PREFIX.length()))) {
                props.put(key.substring(StreamsConfig.ADMIN_CLIENT_PREFIX.length()), value);
            }
        });
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, getString(APPLICATION_ID) + "-topics");
        return props;
    }

    /** Kafka Streams properties: the pass-through keys, then ours, then exactly_once_v2. */
    Map<String, Object> streamsProperties() {
        Map<String, Object> props = new HashMap<>(originals());
        def.names().forEach(props::remove);
        // Resolved already (ServiceConfigLoader): Streams need not instantiate them again.
        props.keySet().removeIf(key -> key.startsWith("config.providers"));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", getList(BOOTSTRAP_SERVERS)));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID));
        props.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR));
        props.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.putIfAbsent(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        props.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        // The changelog holds the idempotency memory and the aggregates' versions: it gets the same
        // durability as the topics the service creates itself, unless Streams' own keys say otherwise.
        short rf = getShort(TOPIC_REPLICATION_FACTOR);
        if (rf > 0) {
            props.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) rf);
        }
        int minInsync = getInt(CommonConfig.TOPIC_MIN_INSYNC_REPLICAS);
        if (minInsync > 0) {
            props.putIfAbsent(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), minInsync);
        }
        return props;
    }
}
