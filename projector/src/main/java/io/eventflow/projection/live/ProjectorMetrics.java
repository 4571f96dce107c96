package io.eventflow.projection.live;

import io.eventflow.projection.sink.SinkMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * The projector's meters, all prefixed {@code eventflow.projector}: events indexed, bulk latency (a
 * histogram, {@code eventflow_projector_bulk_latency_seconds_bucket}) and size, retries by cause, dead
 * letters, integrity errors, gaps dead-lettered, no-ops (a replayed or stale write), and lag per
 * partition in records and in seconds behind the newest event. Thread-safe.
 */
public final class ProjectorMetrics implements SinkMetrics {
    private final MeterRegistry registry;
    private final Counter indexed;
    private final Counter deadLettered;
    private final Counter gaps;
    private final Timer bulkLatency;
    private final DistributionSummary bulkEvents;
    private final DistributionSummary bulkBytes;
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();
    private final Map<String, Counter> noops = new ConcurrentHashMap<>();
    private final Map<String, Counter> integrityErrors = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Lag> lags = new ConcurrentHashMap<>();
    private final ProjectorStatus status = new ProjectorStatus();

    /** The lag of one partition, written by the loop and read by the gauges. */
    static final class Lag {
        final AtomicLong records = new AtomicLong();
        final AtomicLong millis = new AtomicLong();
        List<Meter> meters = List.of();
    }

    ProjectorMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.indexed = Counter.builder("eventflow.projector.events.indexed")
                .description("Events acknowledged by Elasticsearch (new, or already there)").register(registry);
        this.deadLettered = Counter.builder("eventflow.projector.dead.lettered")
                .description("Events sent to the dead-letter topic").register(registry);
        this.gaps = Counter.builder("eventflow.projector.gaps")
                .description("Read-model documents whose missing versions were found in neither the batch nor the "
                        + "event store after waiting; their events were dead-lettered").register(registry);
        this.bulkLatency = Timer.builder("eventflow.projector.bulk.latency")
                .description("Latency of one bulk request").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        this.bulkEvents = DistributionSummary.builder("eventflow.projector.bulk.events")
                .description("Events per closed batch").register(registry);
        this.bulkBytes = DistributionSummary.builder("eventflow.projector.bulk.bytes").baseUnit("bytes")
                .description("Estimated bytes per closed batch").register(registry);
    }

    /** What the loop and workers publish for {@code /health}. */
    public ProjectorStatus status() {
        return status;
    }

    @Override
    public void indexed(int n) {
        indexed.increment(n);
    }

    @Override
    public void elasticsearchFault(String fault) {
        status.elasticsearchFault(fault);
    }

    double indexedTotal() {
        return indexed.count();
    }

    @Override
    public void gaps(int n) {
        gaps.increment(n);
    }

    /**
     * An event that conflicts with what is stored: a different event under its id ({@code events}), or a
     * payment document that refuses it without being ahead ({@code payments}).
     */
    @Override
    public void integrityError(String index) {
        integrityErrors.computeIfAbsent(index, i -> Counter.builder("eventflow.projector.integrity.errors")
                .tag("index", i).description("Events that conflict with what Elasticsearch holds; dead-lettered")
                .register(registry)).increment();
    }

    void deadLettered() {
        deadLettered.increment();
    }

    @Override
    public void bulk(long nanos) {
        bulkLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    void batchClosed(int events, long bytes) {
        bulkEvents.record(events);
        bulkBytes.record(bytes);
    }

    /** A transient failure that is retried; cause e.g. {@code 429}, {@code 5xx}, {@code transport}. */
    @Override
    public void retry(String cause) {
        retries.computeIfAbsent(cause, c -> Counter.builder("eventflow.projector.retries").tag("cause", c)
                .description("Transient Elasticsearch failures retried, by cause").register(registry)).increment();
    }

    /** A write that changed nothing: the document was there already, or newer (409 or skipped fold). */
    @Override
    public void noop(String index, int n) {
        if (n > 0) {
            noops.computeIfAbsent(index, i -> Counter.builder("eventflow.projector.noops").tag("index", i)
                    .description("Writes that were no-ops: replayed or stale (409)").register(registry)).increment(n);
        }
    }

    double noops(String index) {
        Counter c = noops.get(index);
        return c == null ? 0 : c.count();
    }

    Lag lag(TopicPartition tp) {
        return lags.computeIfAbsent(tp, p -> {
            Lag lag = new Lag();
            Tags tags = Tags.of("topic", p.topic(), "partition", String.valueOf(p.partition()));
            lag.meters = List.of(
                    Gauge.builder("eventflow.projector.lag.records", lag.records, AtomicLong::get).tags(tags)
                            .description("Records of the partition not yet projected").register(registry),
                    Gauge.builder("eventflow.projector.lag.seconds", lag.millis, m -> m.get() / 1000.0).tags(tags)
                            .description("How far the projection is behind the newest event, in seconds")
                            .register(registry));
            return lag;
        });
    }

    void removeLag(TopicPartition tp) {
        Lag lag = lags.remove(tp);
        if (lag != null) {
            lag.meters.forEach(registry::remove);
        }
    }

    /** Total lag in records over the partitions this worker owns. */
    public long totalLag() {
        return lags.values().stream().mapToLong(l -> l.records.get()).sum();
    }
}
