package io.eventflow.eventstore;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gauge {@value #METER} (Prometheus {@code eventflow_dead_letter_records}), tagged {@code topic}: the
 * records currently in each dead-letter topic, the sum over its partitions of end offset minus
 * beginning offset. Its own admin client (whose Kafka client metrics it binds too) reads the offsets
 * on a daemon thread every refresh interval, so a scrape only reads the last value and never waits on
 * Kafka. NaN until the first read succeeds; a failed read keeps the last value. On a topic written in
 * transactions (the command-service's) commit markers take offsets too, so the figure is an upper
 * bound there: at most one marker per transaction and partition. Thread-safe; close it with the
 * service.
 */
public final class DeadLetterDepth implements AutoCloseable {
    /** The gauge's name. */
    public static final String METER = "eventflow.dead.letter.records";
    private static final Logger log = LoggerFactory.getLogger(DeadLetterDepth.class);

    private final AdminClient admin;
    private final KafkaClientMetrics adminMetrics;
    private final MeterRegistry registry;
    private final Duration timeout;
    private final Map<String, AtomicLong> depths = new LinkedHashMap<>();
    private final List<Meter> meters = new ArrayList<>();
    private final ScheduledExecutorService scheduler;
    private volatile boolean failing;

    private DeadLetterDepth(AdminClient admin, List<String> topics, Duration refresh, MeterRegistry registry) {
        this.admin = admin;
        this.registry = registry;
        // A read slower than the interval would pile up behind itself; a slow broker just leaves the last value.
        this.timeout = refresh.compareTo(Duration.ofSeconds(10)) < 0 ? refresh : Duration.ofSeconds(10);
        this.adminMetrics = new KafkaClientMetrics(admin);
        adminMetrics.bindTo(registry);
        for (String topic : topics) {
            AtomicLong depth = new AtomicLong(Double.doubleToLongBits(Double.NaN));
            depths.put(topic, depth);
            meters.add(Gauge.builder(METER, depth, d -> Double.longBitsToDouble(d.get())).tag("topic", topic)
                    .description("Records in the dead-letter topic (end minus beginning offsets), read every "
                            + CommonConfig.DEAD_LETTER_DEPTH_REFRESH_MS)
                    .register(registry));
        }
        var executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "dead-letter-depth");
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.scheduler = executor;
        scheduler.scheduleWithFixedDelay(this::refresh, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts reading the depth of {@code topics} every {@code refresh} with an admin client built from
     * {@code adminProperties}, into gauges of {@code registry}.
     */
    public static DeadLetterDepth start(Map<String, Object> adminProperties, List<String> topics, Duration refresh,
            MeterRegistry registry) {
        Objects.requireNonNull(adminProperties, "adminProperties");
        Objects.requireNonNull(refresh, "refresh");
        Objects.requireNonNull(registry, "registry");
        Map<String, Object> props = new HashMap<>(adminProperties);
        Object clientId = props.get("client.id");
        props.put("client.id", (clientId == null ? "eventflow" : clientId) + "-dead-letter-depth");
        return new DeadLetterDepth(AdminClient.create(props), List.copyOf(topics), refresh, registry);
    }

    /** The last depth read of {@code topic}; NaN before the first read or for a topic not watched. */
    public double depth(String topic) {
        AtomicLong d = depths.get(topic);
        return d == null ? Double.NaN : Double.longBitsToDouble(d.get());
    }

    void refresh() {
        try {
            Map<String, TopicDescription> described = admin.describeTopics(depths.keySet()).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            described.values().forEach(t -> t.partitions().forEach(p -> {
                TopicPartition tp = new TopicPartition(t.name(), p.partition());
                earliest.put(tp, OffsetSpec.earliest());
                latest.put(tp, OffsetSpec.latest());
            }));
            ListOffsetsOptions options = new ListOffsetsOptions().timeoutMs((int) timeout.toMillis());
            Map<TopicPartition, ListOffsetsResultInfo> begin = admin.listOffsets(earliest, options).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, ListOffsetsResultInfo> end = admin.listOffsets(latest, options).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, Long> sums = new HashMap<>();
            end.forEach((tp, info) -> sums.merge(tp.topic(), info.offset() - begin.get(tp).offset(), Long::sum));
            sums.forEach((topic, sum) -> depths.get(topic).set(Double.doubleToLongBits(sum)));
            if (failing) {
                failing = false;
                log.info("dead-letter depth readable again: {}", sums);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!failing) {
                failing = true;
                log.warn("cannot read the dead-letter topics' offsets for {} (keeping the last values): {}", METER,
                        e.toString());
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        meters.forEach(registry::remove);
        adminMetrics.close();
        admin.close(Duration.ofSeconds(5));
    }
}
