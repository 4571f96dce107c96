package io.eventflow.projection.live;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.eventflow.eventstore.DeadLetterDepth;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.projection.ProjectorConfig;
import io.eventflow.projection.sink.ElasticsearchProjection;
import io.eventflow.aggregate.AggregateIndices;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.SchemaRegistryClient;
import io.eventflow.schemas.serde.TopicPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.ExponentialBackoff;

/**
 * The one place the projection's parts are built: the Elasticsearch, registry and dead-letter
 * clients it shares, and a {@link ProjectionLoop} per use (the live projector, or one phase of a
 * rebuild). The Kafka clients' metrics go to its meter registry (Micrometer's
 * {@link KafkaClientMetrics}), each unbound when its client closes. Closing it closes the shared clients. Not thread-safe; loops it built are.
 */
public final class ProjectionWiring implements AutoCloseable {
    private final ProjectorConfig config;
    private final ElasticsearchClient elasticsearch;
    private final EventStoreIndices indices;
    private final SchemaRegistryClient registry;
    /** Created with the first loop, sized for the largest dead-letter topic. */
    private KafkaProducer<byte[], byte[]> deadLetters;
    private KafkaClientMetrics deadLetterMetrics;
    private DeadLetterDepth deadLetterDepth;
    private final MeterRegistry meterRegistry;
    private List<KafkaTopics.DeadLetterTopic> deadLetterTopics;
    private final List<Lane> lanes;
    private final ProjectorMetrics metrics;
    private final ExecutorService workers;
    private final ProjectionLoop.Batching batching;

    public ProjectionWiring(ProjectorConfig config, MeterRegistry meterRegistry) {
        this.config = Objects.requireNonNull(config, "config");
        this.lanes = config.lanes();
        // Every wired type's read model is set up, running or not, so that rebuilds and readers find it.
        this.indices = AggregateIndices.of(config.getString(ProjectorConfig.INDEX_PREFIX), config.aggregateTypes());
        this.registry = config.registry().newCheckedClient();
        try {
            this.elasticsearch = ElasticsearchClients.connectAndCheck(config.elasticsearch());
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
        this.metrics = new ProjectorMetrics(meterRegistry);
        int maxInFlight = config.getInt(ProjectorConfig.MAX_IN_FLIGHT_BULKS);
        this.batching = new ProjectionLoop.Batching(config.getInt(ProjectorConfig.BATCH_MAX_EVENTS),
                config.getLong(ProjectorConfig.BATCH_MAX_BYTES),
                Duration.ofMillis(config.getLong(ProjectorConfig.BATCH_LINGER_MS)), maxInFlight);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(batching.maxOutstanding(),
                r -> new Thread(r, "projector-bulk-" + n.incrementAndGet()));
    }

    /**
     * Creates each lane's dead-letter topic if it is missing, or raises its max.message.bytes, so
     * that any record of its events topic fits in it with the dlq headers.
     */
    public List<KafkaTopics.DeadLetterTopic> ensureDeadLetterTopics() {
        if (deadLetterTopics == null) {
            List<KafkaTopics.DeadLetterTopic> out = new ArrayList<>();
            for (Lane lane : lanes) {
                out.add(KafkaTopics.ensureDeadLetter(config.adminProperties(), lane.deadLetterTopic(),
                        lane.eventsTopic(), config.getInt(ProjectorConfig.TOPIC_PARTITIONS),
                        config.getShort(ProjectorConfig.TOPIC_REPLICATION_FACTOR),
                        TopicPolicy.retained(config.getLong(ProjectorConfig.DEAD_LETTER_TOPIC_RETENTION_MS),
                                config.getInt(ProjectorConfig.TOPIC_MIN_INSYNC_REPLICAS))));
            }
            deadLetterTopics = List.copyOf(out);
        }
        return deadLetterTopics;
    }

    /**
     * Refuses an events topic that does not keep every event (finite retention, compaction),
     * unless events.topic.allow.finite.retention is true.
     *
     * @throws IllegalStateException naming the topic, the setting and its value, and the key
     */
    public void checkEventsTopics() {
        for (Lane lane : lanes) {
            KafkaTopics.checkEventsTopic(config.adminProperties(), lane.eventsTopic(),
                    config.getBoolean(ProjectorConfig.EVENTS_TOPIC_ALLOW_FINITE_RETENTION),
                    ProjectorConfig.EVENTS_TOPIC_ALLOW_FINITE_RETENTION);
        }
    }

    /** The dead-letter producer, whose max.request.size takes the largest record the topics do. */
    private KafkaProducer<byte[], byte[]> deadLetterProducer() {
        if (deadLetters == null) {
            Map<String, Object> props = config.producerProperties();
            long size = Long.parseLong(String.valueOf(props.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 0)));
            for (KafkaTopics.DeadLetterTopic t : ensureDeadLetterTopics()) {
                size = Math.max(size, t.maxMessageBytes());
            }
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) size);
            deadLetters = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
            deadLetterMetrics = new KafkaClientMetrics(deadLetters);
            deadLetterMetrics.bindTo(meterRegistry);
        }
        return deadLetters;
    }

    /**
     * A loop that reads {@code source} as consumer group {@code groupId} and writes to
     * {@code targets}; {@code gapWait} bounds the wait for missing read-model versions.
     */
    public ProjectionLoop loop(ProjectionLoop.Source source, String groupId, ElasticsearchProjection.Targets targets,
            Duration gapWait) {
        var backoff = backoff(config.retryBackoffMs(), config.retryBackoffMaxMs());
        var projection = new ElasticsearchProjection(elasticsearch, targets,
                new ElasticsearchProjection.Policy(backoff, batching.maxInFlight(), gapWait), metrics);
        var retry = new BatchTask.InfrastructureRetry(
                Duration.ofMillis(config.getLong(ProjectorConfig.INFRASTRUCTURE_RETRY_TIMEOUT_MS)), registry.describe());
        Map<String, BatchTask.Decoding> decoders = new LinkedHashMap<>();
        for (Lane lane : lanes) {
            decoders.put(lane.eventsTopic(), new BatchTask.Decoding(lane,
                    new AvroDeserializer<>(registry, lane.type().avro().eventEnvelope())));
        }
        var task = new BatchTask(decoders, projection, deadLetterProducer(), metrics, backoff, retry);
        var consumer = new KafkaConsumer<>(config.consumerProperties(groupId), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        var consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(meterRegistry);
        return new ProjectionLoop(consumer, consumerMetrics, source, task, workers, batching, metrics,
                Duration.ofMillis(config.getLong(ProjectorConfig.INFRASTRUCTURE_RETRY_TIMEOUT_MS)));
    }

    /**
     * Starts the gauge of the records in each lane's dead-letter topic ({@link DeadLetterDepth}), read
     * every dead.letter.depth.refresh.ms; closed with the wiring. Once; the topics must exist.
     */
    public void watchDeadLetterDepth() {
        if (deadLetterDepth == null) {
            deadLetterDepth = DeadLetterDepth.start(config.adminProperties(),
                    lanes.stream().map(Lane::deadLetterTopic).toList(),
                    Duration.ofMillis(config.getLong(ProjectorConfig.DEAD_LETTER_DEPTH_REFRESH_MS)), meterRegistry);
        }
    }

    public ProjectorConfig config() {
        return config;
    }

    public ElasticsearchClient elasticsearch() {
        return elasticsearch;
    }

    public EventStoreIndices indices() {
        return indices;
    }

    public ProjectorMetrics metrics() {
        return metrics;
    }

    /** The aggregate types this projector runs, with their topics. */
    public List<Lane> lanes() {
        return lanes;
    }

    /** The events topics of every running type. */
    public List<String> eventsTopics() {
        return lanes.stream().map(Lane::eventsTopic).toList();
    }

    /** The lane of a read model, e.g. {@code payments}. */
    public Optional<Lane> lane(String readModel) {
        return lanes.stream().filter(l -> l.readModel().equals(readModel)).findFirst();
    }

    @Override
    public void close() {
        workers.shutdownNow();
        if (deadLetterDepth != null) {
            deadLetterDepth.close();
        }
        if (deadLetterMetrics != null) {
            deadLetterMetrics.close();
        }
        if (deadLetters != null) {
            deadLetters.close(Duration.ofSeconds(10));
        }
        registry.close();
        ElasticsearchClients.close(elasticsearch);
    }

    /**
     * Exponential backoff from {@code firstMs} doubling per attempt up to {@code maxMs}, with Kafka's
     * client jitter (±20%, still capped at {@code maxMs}); attempt 0 waits about {@code firstMs}.
     */
    static ExponentialBackoff backoff(long firstMs, long maxMs) {
        return new ExponentialBackoff(firstMs, 2, maxMs, 0.2);
    }
}
