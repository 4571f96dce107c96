package io.eventflow.projection;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.SchemaRegistryClient;
import io.eventflow.schemas.serde.SerdeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One projector worker, wired by hand. {@link #start} creates the index templates and aliases,
 * then consumes on its own thread until {@link #close}. Run several (processes or instances) with
 * the same group.id to scale by partitions.
 */
public final class Projector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Projector.class);

    private final ElasticsearchClient elasticsearch;
    private final SchemaRegistryClient registry;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final ProjectionLoop loop;
    private final Thread thread;

    private Projector(ProjectorConfig config) throws IOException {
        this.elasticsearch = ElasticsearchClients.connect(config.getString(ProjectorConfig.ELASTICSEARCH_URL));
        EventStoreIndices indices = new EventStoreIndices(config.getString(ProjectorConfig.INDEX_PREFIX));
        indices.ensure(elasticsearch, config.getInt(ProjectorConfig.INDEX_REPLICAS));
        KafkaTopics.ensure(config.bootstrapServers(), List.of(config.getString(ProjectorConfig.DEAD_LETTER_TOPIC)),
                config.getInt(ProjectorConfig.TOPIC_PARTITIONS), config.getShort(ProjectorConfig.TOPIC_REPLICATION_FACTOR));
        this.registry = new SerdeConfig(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL,
                config.getString(ProjectorConfig.SCHEMA_REGISTRY_URL))).newClient();
        this.deadLetters = new KafkaProducer<>(config.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
        Duration backoff = Duration.ofMillis(config.getLong(ProjectorConfig.RETRY_BACKOFF_MS));
        var projection = new ElasticsearchProjection(elasticsearch, indices, config.getInt(ProjectorConfig.MAX_ATTEMPTS), backoff);
        var consumer = new KafkaConsumer<>(config.consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.loop = new ProjectionLoop(consumer, deadLetters, new AvroDeserializer<>(registry, EventEnvelope.class),
                projection, config.getString(ProjectorConfig.EVENTS_TOPIC),
                config.getString(ProjectorConfig.DEAD_LETTER_TOPIC), backoff);
        this.thread = new Thread(loop, "projector-" + config.getString(ProjectorConfig.EVENTS_TOPIC));
    }

    public static Projector start(ProjectorConfig config) {
        Objects.requireNonNull(config, "config");
        try {
            Projector projector = new Projector(config);
            projector.thread.start();
            log.info("projector started: {} -> {} and {}", config.getString(ProjectorConfig.EVENTS_TOPIC),
                    config.getString(ProjectorConfig.INDEX_PREFIX) + "events",
                    config.getString(ProjectorConfig.INDEX_PREFIX) + "payments");
            return projector;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the Elasticsearch indices", e);
        }
    }

    /** True while the projection thread runs. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    @Override
    public void close() {
        loop.stop();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deadLetters.close(Duration.ofSeconds(10));
        registry.close();
        ElasticsearchClients.close(elasticsearch);
        log.info("projector stopped");
    }
}
