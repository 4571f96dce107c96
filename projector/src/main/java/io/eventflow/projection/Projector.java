package io.eventflow.projection;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.SchemaRegistryClient;
import io.eventflow.schemas.serde.SerdeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One projector worker, wired by hand. {@link #start} creates the index templates and aliases,
 * then consumes on its own thread until {@link #close}; bulks run on up to
 * {@code max.in.flight.bulks} worker threads. Run several (processes or instances) with the same
 * group.id to scale by partitions. Thread-safe.
 */
public final class Projector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Projector.class);

    private final ElasticsearchClient elasticsearch;
    private final SchemaRegistryClient registry;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final ExecutorService workers;
    private final ProjectorMetrics metrics;
    private final ProjectionLoop loop;
    private final Thread thread;

    private Projector(ProjectorConfig config, MeterRegistry meterRegistry) throws IOException {
        this.elasticsearch = ElasticsearchClients.connect(config.getString(ProjectorConfig.ELASTICSEARCH_URL));
        EventStoreIndices indices = new EventStoreIndices(config.getString(ProjectorConfig.INDEX_PREFIX));
        indices.ensure(elasticsearch, config.getInt(ProjectorConfig.INDEX_REPLICAS));
        String deadLetterTopic = config.getString(ProjectorConfig.DEAD_LETTER_TOPIC);
        KafkaTopics.ensure(config.bootstrapServers(), List.of(deadLetterTopic),
                config.getInt(ProjectorConfig.TOPIC_PARTITIONS), config.getShort(ProjectorConfig.TOPIC_REPLICATION_FACTOR));
        this.registry = new SerdeConfig(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL,
                config.getString(ProjectorConfig.SCHEMA_REGISTRY_URL))).newClient();
        this.deadLetters = new KafkaProducer<>(config.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
        this.metrics = new ProjectorMetrics(meterRegistry);
        Backoff backoff = new Backoff(Duration.ofMillis(config.getLong(ProjectorConfig.RETRY_BACKOFF_MS)),
                Duration.ofMillis(config.getLong(ProjectorConfig.RETRY_BACKOFF_MAX_MS)));
        int maxInFlight = config.getInt(ProjectorConfig.MAX_IN_FLIGHT_BULKS);
        var projection = new ElasticsearchProjection(elasticsearch, indices, backoff, metrics, maxInFlight);
        var task = new BatchTask(new AvroDeserializer<>(registry, EventEnvelope.class), projection,
                new BatchTask.DeadLetters(deadLetters, deadLetterTopic), metrics, backoff);
        var batching = new ProjectionLoop.Batching(config.getInt(ProjectorConfig.BATCH_MAX_EVENTS),
                config.getLong(ProjectorConfig.BATCH_MAX_BYTES), Duration.ofMillis(config.getLong(ProjectorConfig.BATCH_LINGER_MS)),
                maxInFlight);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(batching.maxOutstanding(), r -> new Thread(r, "projector-bulk-" + n.incrementAndGet()));
        var consumer = new KafkaConsumer<>(config.consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        String topic = config.getString(ProjectorConfig.EVENTS_TOPIC);
        this.loop = new ProjectionLoop(consumer, topic, task, workers, batching, metrics);
        this.thread = new Thread(loop, "projector-" + topic);
    }

    /** Starts a worker whose meters go to {@code meterRegistry}. */
    public static Projector start(ProjectorConfig config, MeterRegistry meterRegistry) {
        Objects.requireNonNull(config, "config");
        try {
            Projector projector = new Projector(config, Objects.requireNonNull(meterRegistry, "meterRegistry"));
            projector.thread.start();
            log.info("projector started: {} -> {} and {}", config.getString(ProjectorConfig.EVENTS_TOPIC),
                    config.getString(ProjectorConfig.INDEX_PREFIX) + "events",
                    config.getString(ProjectorConfig.INDEX_PREFIX) + "payments");
            return projector;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the Elasticsearch indices", e);
        }
    }

    /** Starts a worker with meters kept in memory only. */
    public static Projector start(ProjectorConfig config) {
        return start(config, new SimpleMeterRegistry());
    }

    /** True while the projection thread runs. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Records not yet projected, over the partitions this worker owns (updated about every second). */
    public long lag() {
        return metrics.totalLag();
    }

    @Override
    public void close() {
        loop.stop();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        deadLetters.close(Duration.ofSeconds(10));
        registry.close();
        ElasticsearchClients.close(elasticsearch);
        log.info("projector stopped");
    }
}
