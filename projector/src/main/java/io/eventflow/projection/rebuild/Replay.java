package io.eventflow.projection.rebuild;

import io.eventflow.projection.ProjectorConfig;
import io.eventflow.projection.live.ProjectionLoop;
import io.eventflow.projection.live.ProjectionWiring;
import io.eventflow.projection.sink.ElasticsearchProjection;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;

/**
 * Replays ranges of the events topic into an index, one phase at a time, and shows progress: the
 * share of the end offsets reached, events per second and an ETA. A phase that makes no progress
 * for the stall timeout is stopped and reported as {@link ReplayException}. Used by one thread.
 */
final class Replay {
    /** A replay that stopped without finishing; the message says why. */
    static final class ReplayException extends Exception {
        ReplayException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ProjectionWiring wiring;
    private final TopicOffsets offsets;
    private final PrintWriter out;
    private final Clock clock;
    private final Duration stallTimeout;
    private final Duration interval;
    private final String label;
    private final Map<TopicPartition, Long> start;
    private final long startedAt;
    private long lastPrint;
    private long windowAt;
    private long windowDone;
    private double rate;

    /**
     * @param label what is printed before the bar, e.g. the target index
     * @param start the offsets the whole replay started at; progress is measured from them
     * @param interval how often progress is printed
     */
    Replay(ProjectionWiring wiring, TopicOffsets offsets, PrintWriter out, Clock clock, Duration stallTimeout,
            Duration interval, String label, Map<TopicPartition, Long> start) {
        this.wiring = Objects.requireNonNull(wiring, "wiring");
        this.offsets = Objects.requireNonNull(offsets, "offsets");
        this.out = Objects.requireNonNull(out, "out");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.stallTimeout = Objects.requireNonNull(stallTimeout, "stallTimeout");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.label = Objects.requireNonNull(label, "label");
        this.start = Map.copyOf(start);
        this.startedAt = clock.millis();
        this.windowAt = startedAt;
    }

    /** Records from the start to {@code to}, the measure of a replay's size. */
    long recordsTo(Map<TopicPartition, Long> to) {
        long n = 0;
        for (var e : to.entrySet()) {
            n += Math.max(0, e.getValue() - start.getOrDefault(e.getKey(), 0L));
        }
        return n;
    }

    /** Milliseconds since the replay started. */
    long elapsedMillis() {
        return clock.millis() - startedAt;
    }

    /** Projects [from, to) as {@code groupId} into {@code targets}; returns when all of it is committed. */
    void phase(Map<TopicPartition, Long> from, Map<TopicPartition, Long> to, String groupId,
            ElasticsearchProjection.Targets targets) throws ReplayException {
        var range = new ProjectionLoop.Source.Range(from, to);
        if (range.records() == 0) {
            return;
        }
        long before = recordsTo(from);
        // The read model waits for events the live projector has not indexed yet, as the live one waits after a swap.
        ProjectionLoop loop = wiring.loop(range, groupId, targets, targets.readModels().isEmpty() ? Duration.ZERO
                : Duration.ofMillis(wiring.config().getLong(ProjectorConfig.GAP_WAIT_MS)));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                loop.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "replay-" + label);
        thread.start();
        long lastDone = -1;
        long lastChange = clock.millis();
        Map<TopicPartition, Long> end = to;
        long endRead = clock.millis();
        try {
            while (thread.isAlive()) {
                thread.join(200);
                long now = clock.millis();
                long done = loop.projected();
                if (done != lastDone) {
                    lastDone = done;
                    lastChange = now;
                } else if (now - lastChange >= stallTimeout.toMillis() && thread.isAlive()) {
                    loop.stop();
                    thread.join(Duration.ofSeconds(30).toMillis());
                    throw new ReplayException("no progress for " + stallTimeout.toSeconds() + " s at "
                            + (before + done) + " of " + recordsTo(end) + " records", null);
                }
                if (now - endRead >= 1_000) {
                    end = latestOr(end);
                    endRead = now;
                }
                print(before + done, recordsTo(end), false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            loop.stop();
            throw new ReplayException("interrupted", e);
        }
        if (failure.get() != null) {
            throw new ReplayException("the projection stopped: " + failure.get().getMessage(), failure.get());
        }
        print(before + loop.projected(), recordsTo(latestOr(end)), true);
    }

    private Map<TopicPartition, Long> latestOr(Map<TopicPartition, Long> fallback) {
        try {
            return offsets.latest();
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    private void print(long done, long total, boolean force) {
        long now = clock.millis();
        if (!force && now - lastPrint < interval.toMillis()) {
            return;
        }
        if (now - windowAt >= 1_000) {
            double current = (done - windowDone) * 1000.0 / (now - windowAt);
            rate = rate == 0 ? current : 0.5 * rate + 0.5 * current;
            windowAt = now;
            windowDone = done;
        }
        lastPrint = now;
        // Until the first one-second window closes, the average since the start stands in.
        double shown = rate > 0 ? rate : now > startedAt ? done * 1000.0 / (now - startedAt) : 0;
        out.println(bar(label, done, total, shown));
        out.flush();
    }

    /** E.g. {@code payments-v2 [#########-----------]  45.0%  450,000/1,000,000 events  41,250 ev/s  ETA 0:13}. */
    static String bar(String label, long done, long total, double rate) {
        double share = total == 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(share * 30);
        String eta = rate <= 0 ? "--:--" : duration(Math.round(Math.max(0, total - done) / rate));
        return String.format("%s [%s%s] %5.1f%%  %,d/%,d events  %,.0f ev/s  ETA %s", label, "#".repeat(filled),
                "-".repeat(30 - filled), share * 100, done, total, rate, eta);
    }

    private static String duration(long seconds) {
        return seconds >= 3600 ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}
