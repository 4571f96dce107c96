package io.eventflow.projection;

import io.eventflow.aggregate.AggregateTypes;
import io.eventflow.eventstore.EventStoreIndices.MappingConflict;
import io.eventflow.payments.Payments;
import io.eventflow.workflows.Workflows;
import io.eventflow.eventstore.Health;
import io.eventflow.projection.live.ProjectionLoop;
import io.eventflow.projection.live.ProjectionWiring;
import io.eventflow.projection.sink.ElasticsearchProjection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One projector worker, wired by hand. {@link #start} creates the index templates and aliases,
 * then consumes on its own thread until {@link #close}; bulks run on up to
 * {@code max.in.flight.bulks} worker threads. Run several (processes or instances) with the same
 * group.id to scale by partitions. A field whose type the live index cannot take (the template
 * changed it) is reported at start (ERROR, and {@link #health} says "rebuild needed") and the
 * projector keeps writing what the current mapping accepts until a rebuild. Thread-safe.
 */
public final class Projector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Projector.class);
    /** The aggregate types the projector is wired with: one line per type. */
    public static final AggregateTypes AGGREGATE_TYPES = AggregateTypes.of(Payments.TYPE, Workflows.TYPE);

    private final ProjectionWiring wiring;
    private final ProjectionLoop loop;
    private final Thread thread;

    private Projector(ProjectorConfig config, MeterRegistry meterRegistry) throws IOException {
        this.wiring = new ProjectionWiring(config, meterRegistry);
        try {
            wiring.checkEventsTopics();
            List<MappingConflict> conflicts = wiring.indices().ensure(wiring.elasticsearch(), config::indexSettings);
            wiring.metrics().status().conflicts(conflicts);
            wiring.ensureDeadLetterTopics();
            wiring.watchDeadLetterDepth();
            List<String> topics = wiring.eventsTopics();
            this.loop = wiring.loop(new ProjectionLoop.Source.Subscribe(topics), config.getString(ProjectorConfig.GROUP_ID),
                    ElasticsearchProjection.Targets.live(wiring.indices()),
                    Duration.ofMillis(config.getLong(ProjectorConfig.GAP_WAIT_MS)));
            this.thread = new Thread(loop, "projector-" + String.join("+", topics));
        } catch (IOException | RuntimeException e) {
            wiring.close();
            throw e;
        }
    }

    /** Starts a worker whose meters go to {@code meterRegistry}. */
    public static Projector start(ProjectorConfig config, MeterRegistry meterRegistry) {
        Objects.requireNonNull(config, "config");
        try {
            Projector projector = new Projector(config, Objects.requireNonNull(meterRegistry, "meterRegistry"));
            projector.thread.start();
            log.info("projector started: {} -> {} and read models {}", projector.wiring.eventsTopics(),
                    projector.wiring.indices().eventsAlias(), projector.wiring.indices().readModels());
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

    /**
     * The worker's health for {@code /health}, from state the loop publishes: never blocks. Live
     * while the loop thread runs (retrying a Kafka or Elasticsearch fault within its bound
     * included); ready when it also owns partitions, Elasticsearch takes its bulks, and no mapping
     * conflict waits for a rebuild. Thread-safe.
     */
    public Health health() {
        String stopReason = loop.stopReason();
        // A loop that failed is not live even while its thread still closes the consumer.
        return wiring.metrics().status().health(thread.isAlive() && stopReason == null, stopReason);
    }

    /** The live index fields whose type the template changed, found at start; empty normally. */
    public List<MappingConflict> mappingConflicts() {
        return wiring.metrics().status().conflicts();
    }

    /**
     * Records not yet projected, over the partitions this worker owns (updated about every second):
     * the consumer's lag up to the last stable offset (transaction markers are not records) plus
     * what is buffered or in flight. While it cannot be known (a broker down) it keeps its last value.
     */
    public long lag() {
        return wiring.metrics().totalLag();
    }

    @Override
    public void close() {
        loop.stop();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        wiring.close();
        log.info("projector stopped");
    }
}
