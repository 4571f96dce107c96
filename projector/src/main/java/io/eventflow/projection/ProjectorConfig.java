package io.eventflow.projection;

import io.eventflow.aggregate.AggregateNames;
import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.AggregateTypes;
import io.eventflow.aggregate.TypeTopicKeys;
import java.util.ArrayList;
import java.util.List;

import io.eventflow.eventstore.CommonConfig;
import io.eventflow.eventstore.ElasticsearchSettings;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.eventstore.IndexSettings;
import io.eventflow.schemas.serde.SerdeConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The projector's configuration, validated when constructed. Other keys a Kafka client knows
 * (e.g. {@code security.protocol}, {@code sasl.jaas.config}, {@code ssl.truststore.location},
 * {@code client.dns.lookup}) go to all of its clients, the consumer, the dead-letter producer and
 * the admin client that creates and checks topics; keys prefixed {@code consumer.},
 * {@code producer.} or {@code admin.} go to that client only and win.
 */
public final class ProjectorConfig extends AbstractConfig {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ProjectorConfig.class);

    public static final String BOOTSTRAP_SERVERS = CommonConfig.BOOTSTRAP_SERVERS;
    public static final String GROUP_ID = ConsumerConfig.GROUP_ID_CONFIG;
    public static final String SCHEMA_REGISTRY_URL = CommonConfig.SCHEMA_REGISTRY_URL;
    public static final String ELASTICSEARCH_URL = CommonConfig.ELASTICSEARCH_URL;
    public static final String INDEX_PREFIX = CommonConfig.INDEX_PREFIX;
    /** number_of_replicas of every model's new indices, unless its own {@link #indexReplicasKey} says otherwise. */
    public static final String INDEX_REPLICAS = "elasticsearch.index.replicas";
    /** Alias of {@code payments.events.topic}, kept from before aggregate types. */
    public static final String EVENTS_TOPIC = "events.topic";
    /** Alias of {@code payments.dead.letter.topic}. */
    public static final String DEAD_LETTER_TOPIC = "dead.letter.topic";
    public static final String AGGREGATE_TYPES = TypeTopicKeys.AGGREGATE_TYPES;
    public static final String TOPIC_PARTITIONS = CommonConfig.TOPIC_PARTITIONS;
    public static final String TOPIC_REPLICATION_FACTOR = CommonConfig.TOPIC_REPLICATION_FACTOR;
    public static final String TOPIC_MIN_INSYNC_REPLICAS = CommonConfig.TOPIC_MIN_INSYNC_REPLICAS;
    public static final String DEAD_LETTER_TOPIC_RETENTION_MS = CommonConfig.DEAD_LETTER_TOPIC_RETENTION_MS;
    public static final String DEAD_LETTER_DEPTH_REFRESH_MS = CommonConfig.DEAD_LETTER_DEPTH_REFRESH_MS;
    public static final String EVENTS_TOPIC_ALLOW_FINITE_RETENTION = CommonConfig.EVENTS_TOPIC_ALLOW_FINITE_RETENTION;
    public static final String INFRASTRUCTURE_RETRY_TIMEOUT_MS = CommonConfig.INFRASTRUCTURE_RETRY_TIMEOUT_MS;
    public static final String RETRY_BACKOFF_MS = "elasticsearch.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "elasticsearch.retry.backoff.max.ms";
    /**
     * The old names of {@link #RETRY_BACKOFF_MS} and {@link #RETRY_BACKOFF_MAX_MS}: they clash
     * with Kafka's own {@code retry.backoff.ms}. Still read, with a warning, and never given to a
     * Kafka client; set Kafka's through {@code consumer.}, {@code producer.} or {@code admin.}.
     */
    static final String LEGACY_RETRY_BACKOFF_MS = "retry.backoff.ms";
    static final String LEGACY_RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";
    public static final String BATCH_MAX_EVENTS = "batch.max.events";
    public static final String BATCH_MAX_BYTES = "batch.max.bytes";
    public static final String BATCH_LINGER_MS = "batch.linger.ms";
    public static final String MAX_IN_FLIGHT_BULKS = "max.in.flight.bulks";
    public static final String METRICS_PORT = "metrics.port";
    public static final String GAP_WAIT_MS = "read.model.gap.wait.ms";
    public static final String REBUILD_MAX_LAG = "rebuild.max.lag";
    public static final String REBUILD_STALL_TIMEOUT_MS = "rebuild.stall.timeout.ms";
    public static final String REBUILD_VERIFY_TIMEOUT_MS = "rebuild.verify.timeout.ms";
    public static final String REBUILD_SWAP_WAIT_MS = "rebuild.swap.wait.ms";

    static final ConfigDef DEF = CommonConfig.defineDeadLetterDepth(CommonConfig.defineInfrastructureRetry(
            CommonConfig.defineTopicCreation(CommonConfig.defineElasticsearch(SerdeConfig.defineClient(
                    CommonConfig.defineKafka(new ConfigDef()))))))
            .define(GROUP_ID, Type.STRING, "eventflow-projector", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Consumer group of the projector workers; add workers to scale up to the topic's partitions.")
            .define(INDEX_REPLICAS, Type.INT, 1, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "number_of_replicas of the indices created from the templates; 0 for a single node. The "
                            + "default of every model's elasticsearch.index.<model>.replicas.")
            .define(RETRY_BACKOFF_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "First backoff after a transient Elasticsearch failure (transport, 429, 5xx), in milliseconds; "
                            + "doubles per attempt, with jitter, up to retry.backoff.max.ms. Transient failures are "
                            + "retried until they succeed; the batch's partitions are paused meanwhile.")
            .define(RETRY_BACKOFF_MAX_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Longest backoff between attempts, in milliseconds.")
            .define(LEGACY_RETRY_BACKOFF_MS, Type.LONG, null, ConfigDef.LambdaValidator.with(
                    (name, value) -> atLeastOne(name, value), () -> "[1,...] or unset"), Importance.LOW,
                    "Deprecated name of " + RETRY_BACKOFF_MS + " (it clashes with Kafka's own key): read when "
                            + "the new name is not set, with a warning, and never passed to a Kafka client.")
            .define(LEGACY_RETRY_BACKOFF_MAX_MS, Type.LONG, null, ConfigDef.LambdaValidator.with(
                    (name, value) -> atLeastOne(name, value), () -> "[1,...] or unset"), Importance.LOW,
                    "Deprecated name of " + RETRY_BACKOFF_MAX_MS + ", as above.")
            .define(BATCH_MAX_EVENTS, Type.INT, 2_000, ConfigDef.Range.between(1, 100_000), Importance.MEDIUM,
                    "A bulk closes when it holds this many events.")
            .define(BATCH_MAX_BYTES, Type.LONG, 8L * 1024 * 1024, ConfigDef.Range.atLeast(1024), Importance.MEDIUM,
                    "A bulk closes when its events' estimated JSON size reaches this many bytes.")
            .define(BATCH_LINGER_MS, Type.LONG, 50L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "A bulk closes when its oldest event has waited this long, in milliseconds.")
            .define(MAX_IN_FLIGHT_BULKS, Type.INT, 2, ConfigDef.Range.between(1, 64), Importance.MEDIUM,
                    "Bulks one worker has in flight at once. A partition is in at most one of them, which "
                            + "keeps per-aggregate order.")
            .define(METRICS_PORT, Type.INT, 9404, ConfigDef.Range.between(-1, 65535), Importance.LOW,
                    "Port of the Prometheus endpoint GET /metrics; 0 picks a free port, -1 turns it off.")
            .define(GAP_WAIT_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "How long a batch waits, in milliseconds, for versions a read-model document misses that "
                            + "neither the batch nor the event store has yet (as right after a rebuild's alias swap); "
                            + "after it, that payment's events are dead-lettered, nothing is folded over the gap, "
                            + "and eventflow.projector.gaps counts it.")
            .define(REBUILD_MAX_LAG, Type.LONG, 1_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "A rebuild verifies and swaps once it is within this many records of the end of the topic.")
            .define(REBUILD_STALL_TIMEOUT_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1_000), Importance.MEDIUM,
                    "A rebuild that makes no progress for this long, in milliseconds (e.g. Elasticsearch is "
                            + "down), stops and reports; the alias is left untouched.")
            .define(REBUILD_VERIFY_TIMEOUT_MS, Type.LONG, 120_000L, ConfigDef.Range.atLeast(1_000), Importance.LOW,
                    "How long a rebuild waits, in milliseconds, for the live projector group to reach the offsets "
                            + "it verifies at.")
            .define(REBUILD_SWAP_WAIT_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "How long a rebuild keeps catching up, in milliseconds, to be at least as far as the live "
                            + "index before it swaps the alias anyway.");

    private final ConfigDef def;
    private final AggregateTypes wired;
    private final Map<String, Map<String, String>> topics;
    private final ElasticsearchSettings elasticsearch;
    private final SerdeConfig registry;

    /** How to reach Elasticsearch: nodes, credentials, TLS (checked when the config was built). */
    public ElasticsearchSettings elasticsearch() {
        return elasticsearch;
    }

    /** The registry client's settings: URL, credentials, TLS (checked when the config was built). */
    public SerdeConfig registry() {
        return registry;
    }

    /** With the aggregate types the projector is wired with ({@link Projector#AGGREGATE_TYPES}). */
    public ProjectorConfig(Map<?, ?> originals) {
        this(Projector.AGGREGATE_TYPES, originals);
    }

    /** @param types the wired aggregate types: each gets its topic keys */
    public ProjectorConfig(AggregateTypes types, Map<?, ?> originals) {
        this(types, defineIndexKeys(types, topicKeys(types).define(DEF)), originals);
    }

    private ProjectorConfig(AggregateTypes types, ConfigDef def, Map<?, ?> originals) {
        super(def, originals, false);
        this.def = def;
        this.wired = types;
        this.topics = topicKeys(types).resolve(this);
        CommonConfig.validateTopicCreation(this);
        this.elasticsearch = ElasticsearchSettings.from(this);
        this.registry = SerdeConfig.forService(this);
        for (String key : unknownKeys()) {
            log.warn("configuration key {} is ignored: neither the projector nor a Kafka client knows it", key);
        }
    }

    /** The keys given that neither the projector nor a Kafka client knows. */
    List<String> unknownKeys() {
        return CommonConfig.unknownKeys(originals(), def.names(), k -> false);
    }

    private static void atLeastOne(String name, Object value) {
        if (value != null && (Long) value < 1) {
            throw new org.apache.kafka.common.config.ConfigException(name, value, "must be at least 1");
        }
    }

    /** The first backoff after a transient Elasticsearch failure, in milliseconds (the old key's when only it is set). */
    public long retryBackoffMs() {
        return renamed(RETRY_BACKOFF_MS, LEGACY_RETRY_BACKOFF_MS);
    }

    /** The longest backoff between attempts, in milliseconds (likewise). */
    public long retryBackoffMaxMs() {
        return renamed(RETRY_BACKOFF_MAX_MS, LEGACY_RETRY_BACKOFF_MAX_MS);
    }

    private long renamed(String key, String legacy) {
        Long old = getLong(legacy);
        if (old == null) {
            return getLong(key);
        }
        if (originals().containsKey(key)) {
            log.warn("{} is set, so the deprecated {} is ignored (and never passed to Kafka)", key, legacy);
            return getLong(key);
        }
        log.warn("{} is deprecated: it clashes with Kafka's own key, and is never passed to Kafka. Use {} "
                + "(and consumer./producer./admin.retry.backoff.ms for Kafka's)", legacy, key);
        return old;
    }

    private static TypeTopicKeys topicKeys(AggregateTypes types) {
        return new TypeTopicKeys(types, List.of(
                new TypeTopicKeys.Key(EVENTS_TOPIC, AggregateNames::eventsTopic,
                        "events topic (Avro event envelopes keyed by aggregate id): its system of record."),
                new TypeTopicKeys.Key(DEAD_LETTER_TOPIC, AggregateNames::eventsDeadLetterTopic,
                        "topic of events that cannot be decoded or indexed, with dlq.* headers.")));
    }

    /** The keys of the wired aggregate types ({@link Projector#AGGREGATE_TYPES}). */
    public static ConfigDef configDef() {
        return defineIndexKeys(Projector.AGGREGATE_TYPES, topicKeys(Projector.AGGREGATE_TYPES).define(DEF));
    }

    /** The aggregate types to run (aggregate.types), in wiring order, with their topics. */
    public List<io.eventflow.projection.live.Lane> lanes() {
        List<io.eventflow.projection.live.Lane> lanes = new ArrayList<>();
        for (AggregateType<?, ?, ?> t : wired.all()) {
            Map<String, String> ts = topics.get(t.names().readModel());
            if (ts != null) {
                lanes.add(new io.eventflow.projection.live.Lane(t, ts.get(EVENTS_TOPIC), ts.get(DEAD_LETTER_TOPIC)));
            }
        }
        return lanes;
    }

    /** The key of a model's number_of_shards, e.g. {@code elasticsearch.index.events.shards}. */
    public static String indexShardsKey(String model) {
        return "elasticsearch.index." + model + ".shards";
    }

    /** The key of a model's number_of_replicas, e.g. {@code elasticsearch.index.payments.replicas}. */
    public static String indexReplicasKey(String model) {
        return "elasticsearch.index." + model + ".replicas";
    }

    /** The key of a model's refresh_interval, e.g. {@code elasticsearch.index.events.refresh.interval}. */
    public static String indexRefreshIntervalKey(String model) {
        return "elasticsearch.index." + model + ".refresh.interval";
    }

    /** The models with index keys: the event store, then each wired type's read model. */
    private static List<String> indexModels(AggregateTypes types) {
        List<String> models = new ArrayList<>();
        models.add(EventStoreIndices.EVENTS);
        models.addAll(types.readModels());
        return models;
    }

    /** Defines each model's index-template keys on {@code def}. */
    private static ConfigDef defineIndexKeys(AggregateTypes types, ConfigDef def) {
        for (String model : indexModels(types)) {
            String what = EventStoreIndices.EVENTS.equals(model) ? "the event store" : "the " + model + " read model";
            def.define(indexShardsKey(model), Type.INT, 1, ConfigDef.Range.between(1, IndexSettings.MAX_SHARDS),
                    Importance.LOW, "number_of_shards of " + what + "'s new indices (its template's). An existing "
                            + "index keeps its count; a rebuild creates the next one with this count.");
            def.define(indexReplicasKey(model), Type.INT, null, ConfigDef.LambdaValidator.with((name, value) -> {
                if (value != null && (Integer) value < 0) {
                    throw new ConfigException(name, value, "must be at least 0");
                }
            }, () -> "[0,...] or unset"), Importance.LOW, "number_of_replicas of " + what + "'s new indices; "
                    + "unset: " + INDEX_REPLICAS + ".");
            def.define(indexRefreshIntervalKey(model), Type.STRING, null, ConfigDef.LambdaValidator.with((name, value) -> {
                if (value != null && !IndexSettings.isTimeValue(((String) value).trim())) {
                    throw new ConfigException(name, value, "must be a time value such as 1s, 500ms or 30s, -1 for "
                            + "no refresh, or unset");
                }
            }, () -> "a time value (1s, 500ms, -1) or unset"), Importance.LOW, "refresh_interval of " + what
                    + "'s new indices; unset: Elasticsearch's default, every second while the index is searched "
                    + "and not at all while idle (ADR 0012).");
        }
        return def;
    }

    /**
     * The template settings of {@code model} ({@code events} or a wired read model): its own keys,
     * with {@link #INDEX_REPLICAS} for unset replicas.
     */
    public IndexSettings indexSettings(String model) {
        if (!indexModels(wired).contains(model)) {
            throw new IllegalArgumentException("unknown model " + model + ": expected one of " + indexModels(wired));
        }
        Integer replicas = getInt(indexReplicasKey(model));
        String refresh = getString(indexRefreshIntervalKey(model));
        return new IndexSettings(getInt(indexShardsKey(model)), replicas == null ? getInt(INDEX_REPLICAS) : replicas,
                refresh == null || refresh.isBlank() ? null : refresh.trim());
    }

    /** The wired aggregate types, running or not. */
    public AggregateTypes aggregateTypes() {
        return wired;
    }

    String bootstrapServers() {
        return String.join(",", getList(BOOTSTRAP_SERVERS));
    }

    Map<String, Object> consumerProperties() {
        return consumerProperties(getString(GROUP_ID));
    }

    /**
     * For a consumer in group {@code groupId}: the {@code consumer.}-prefixed settings over the
     * common ones, manual commits, read_committed. A new map; used by the projector's internals.
     */
    public Map<String, Object> consumerProperties(String groupId) {
        Map<String, Object> props = clientProperties(ConsumerConfig.configNames(), "consumer.");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Only committed events: the command-service writes transactionally.
        props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        return props;
    }

    /** For the admin client that creates and checks topics and reads offsets (the rebuild tools too). */
    public Map<String, Object> adminProperties() {
        return clientProperties(AdminClientConfig.configNames(), "admin.");
    }

    /** For the dead-letter producer: idempotent, acks=all. A new map; used by the projector's internals. */
    public Map<String, Object> producerProperties() {
        Map<String, Object> props = clientProperties(ProducerConfig.configNames(), "producer.");
        props.putIfAbsent("acks", "all");
        props.putIfAbsent("enable.idempotence", true);
        return props;
    }

    /**
     * The keys not ours that the client knows, then the {@code prefix}ed ones, then
     * bootstrap.servers: a user sets {@code security.protocol} once for every client.
     */
    private Map<String, Object> clientProperties(Set<String> clientKeys, String prefix) {
        Map<String, Object> props = new HashMap<>();
        originals().forEach((key, value) -> {
            if (clientKeys.contains(key) && !def.names().contains(key)) {
                props.put(key, value);
            }
        });
        props.putAll(originalsWithPrefix(prefix));
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }
}
