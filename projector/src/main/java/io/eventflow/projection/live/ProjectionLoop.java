package io.eventflow.projection.live;

import io.eventflow.projection.sink.ElasticsearchProjection;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the consumer: polls, buffers per partition, closes batches (on count, bytes or linger),
 * hands them to worker threads (a bounded number in flight, a partition in at most one), and
 * commits a batch's offsets only after it was fully acknowledged. Partitions whose buffer is full
 * are paused, so an Elasticsearch outage stops fetching while the consumer stays in the group.
 * On a rebalance it finishes (or, past a deadline, abandons) the revoked partitions' batches,
 * commits what is done and drops the rest, which the next owner reads again.
 *
 * <p>A loop either subscribes to the topic as a member of the group (the live projector), or reads a
 * fixed {@link Source.Range} of offsets of every partition and returns once it has projected and
 * committed all of it (a rebuild's phases).
 *
 * <p>A broker outage is waited out: transient Kafka failures of the loop's own calls (commits, lag,
 * poll) are logged and retried, and only one that keeps failing for {@code kafkaRetryTimeout}
 * stops the loop. Lag is the consumer's own ({@link Consumer#currentLag}: up to the last stable
 * offset under read_committed, so transaction markers are not counted) plus what is buffered or in
 * flight; a lag that cannot be known without a request that fails stays at its last value.
 *
 * <p>Everything but {@link #stop}, {@link #projected} and {@link #stopReason} runs on the loop's own thread.
 */
public final class ProjectionLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ProjectionLoop.class);
    private static final Duration REVOKE_DEADLINE = Duration.ofSeconds(30);
    private static final long LAG_INTERVAL_NANOS = 1_000_000_000L;

    /** When a batch closes, and how many bulk requests may be in flight. */
    record Batching(int maxEvents, long maxBytes, Duration linger, int maxInFlight) {
        /**
         * Batches handed to workers at once: two more than the requests, so that two are decoded and
         * waiting while the requests are in flight. With one in reserve, two bulks finishing close
         * together left a single request in flight while the next batch was decoded: 12% of a
         * rebuild's replay, which is bound by Elasticsearch's bulk latency.
         */
        int maxOutstanding() {
            return maxInFlight + 2;
        }
    }

    /** What a loop reads. */
    public sealed interface Source {
        /** The topics, as a member of the consumer group, until stopped. */
        record Subscribe(List<String> topics) implements Source {
            public Subscribe {
                topics = List.copyOf(topics);
                if (topics.isEmpty()) {
                    throw new IllegalArgumentException("no topic to read");
                }
            }
        }

        /**
         * Offsets {@code from} (inclusive) to {@code to} (exclusive) of each partition (of one or
         * more topics), then return.
         */
        record Range(Map<TopicPartition, Long> from, Map<TopicPartition, Long> to) implements Source {
            public Range {
                from = Map.copyOf(from);
                to = Map.copyOf(to);
                if (!from.keySet().equals(to.keySet())) {
                    throw new IllegalArgumentException("from and to must name the same partitions");
                }
            }

            public long records() {
                long n = 0;
                for (var e : to.entrySet()) {
                    n += Math.max(0, e.getValue() - from.get(e.getKey()));
                }
                return n;
            }
        }

        /** The topics read, for messages. */
        default String describe() {
            if (this instanceof Subscribe s) {
                return String.join(",", s.topics());
            }
            return String.join(",", ((Range) this).from().keySet().stream().map(TopicPartition::topic).distinct()
                    .sorted().toList());
        }
    }

    private final Consumer<byte[], byte[]> consumer;
    /** The consumer's Kafka client metrics in the registry; closed with the consumer. */
    private final AutoCloseable consumerMetrics;
    private final Source source;
    private final String topic;
    private final BatchTask task;
    private final ExecutorService workers;
    private final Batching batching;
    private final ProjectorMetrics metrics;
    private final Duration kafkaRetryTimeout;
    /** When the current run of transient Kafka failures began, or 0. */
    private long kafkaFaultSince;
    private volatile String stopReason;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong projected = new AtomicLong();
    /** Range partitions whose position reached the end of the range. */
    private final Set<TopicPartition> finished = new HashSet<>();

    private final Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> buffers = new HashMap<>();
    private final Map<TopicPartition, Long> bufferedBytes = new HashMap<>();
    private final Map<TopicPartition, Long> oldestBufferedNanos = new HashMap<>();
    private final Map<TopicPartition, Batch> inFlight = new HashMap<>();
    private final Map<Batch, CompletableFuture<Void>> futures = new LinkedHashMap<>();
    private final Map<TopicPartition, Long> lastDoneTimestamp = new HashMap<>();
    private final Set<TopicPartition> paused = new HashSet<>();
    private long lastLagUpdate;

    ProjectionLoop(Consumer<byte[], byte[]> consumer, AutoCloseable consumerMetrics, Source source, BatchTask task,
            ExecutorService workers, Batching batching, ProjectorMetrics metrics, Duration kafkaRetryTimeout) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.consumerMetrics = Objects.requireNonNull(consumerMetrics, "consumerMetrics");
        this.source = Objects.requireNonNull(source, "source");
        this.topic = source.describe();
        this.task = Objects.requireNonNull(task, "task");
        this.workers = Objects.requireNonNull(workers, "workers");
        this.batching = Objects.requireNonNull(batching, "batching");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.kafkaRetryTimeout = Objects.requireNonNull(kafkaRetryTimeout, "kafkaRetryTimeout");
    }

    @Override
    public void run() {
        try {
            if (source instanceof Source.Range range) {
                consumer.assign(range.from().keySet());
                range.from().forEach(consumer::seek);
            } else {
                consumer.subscribe(((Source.Subscribe) source).topics(), new Rebalance());
            }
            if (source instanceof Source.Range) {
                metrics.status().assigned(true);
            }
            while (running.get() && !rangeDone()) {
                try {
                    if (futures.size() >= batching.maxOutstanding()) {
                        // Every slot is taken: nothing can be dispatched before a batch finishes, and
                        // polling every 2 ms meanwhile only burnt the CPU Elasticsearch needs.
                        awaitAnyFinished();
                    }
                    // While bulks are in flight, come back quickly: a finished one frees a slot for the next.
                    boolean busy = !futures.isEmpty() || buffers.values().stream().anyMatch(b -> !b.isEmpty());
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(busy ? 2 : 200));
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        buffer(r);
                    }
                    completeFinished();
                    dispatch(false);
                    applyBackpressure();
                    updateLag();
                    if (kafkaFaultSince != 0) {
                        kafkaOk();
                    }
                } catch (RetriableException e) {
                    kafkaFault(e);
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                stopReason = e.toString();
                throw e;
            }
        } catch (BatchTask.InfrastructureFault e) {
            stopReason = e.getMessage();
            log.error("projection loop on {} stopped: {}. Nothing was dead-lettered for it and no offset of the failing "
                    + "batch was committed; fix the fault and restart", topic, e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            stopReason = e.toString();
            log.error("projection loop on {} stopped by an unexpected error; unacknowledged offsets were not committed",
                    topic, e);
            throw e;
        } finally {
            try {
                drain(futures.keySet(), Duration.ofSeconds(10));
                // Waits for the async commits still in flight; bounded, so a loop stopped by a broker
                // outage ends (and the process exits) in seconds, not after the default 60 s.
                consumer.commitSync(Map.of(), Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                log.warn("final commit failed; the last events will be projected again (no-ops): {}", e.toString());
            } finally {
                closeQuietly(consumerMetrics);
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("could not unbind the consumer's metrics: {}", e.toString());
        }
    }

    public void stop() {
        running.set(false);
        consumer.wakeup();
    }

    /** Why the loop stopped on an error, or null while it runs or after a clean stop; safe from any thread. */
    public String stopReason() {
        return stopReason;
    }

    /**
     * A Kafka call failed transiently (a broker restarting, a leader election): wait for the
     * broker, within the bound, and stop loudly past it.
     */
    private void kafkaFault(RuntimeException e) {
        long now = System.nanoTime();
        if (kafkaFaultSince == 0) {
            kafkaFaultSince = now;
            log.warn("Kafka call on {} failed transiently, retrying until it succeeds (at most {} s): {}", topic,
                    kafkaRetryTimeout.toSeconds(), e.toString());
        }
        metrics.status().kafkaFault(e.toString());
        if (now - kafkaFaultSince >= kafkaRetryTimeout.toNanos()) {
            throw new BatchTask.InfrastructureFault("Kafka still failing after " + (now - kafkaFaultSince) / 1_000_000
                    + " ms (infrastructure.retry.timeout.ms=" + kafkaRetryTimeout.toMillis() + "); last error: " + e, e);
        }
        try {
            Thread.sleep(100);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new InterruptException(ie);
        }
    }

    private void kafkaOk() {
        log.info("Kafka answers again on {} after {} ms", topic, (System.nanoTime() - kafkaFaultSince) / 1_000_000);
        kafkaFaultSince = 0;
        metrics.status().kafkaFault(null);
    }

    /** Records projected (or dead-lettered) and acknowledged so far; safe from any thread. */
    public long projected() {
        return projected.get();
    }

    /** For a range: true once every partition reached its end and nothing is buffered or in flight. */
    private boolean rangeDone() {
        if (!(source instanceof Source.Range range)) {
            return false;
        }
        List<TopicPartition> reached = new ArrayList<>();
        for (var e : range.to().entrySet()) {
            if (!finished.contains(e.getKey()) && consumer.position(e.getKey()) >= e.getValue()) {
                reached.add(e.getKey());
            }
        }
        if (!reached.isEmpty()) {
            finished.addAll(reached);
            consumer.pause(reached);
        }
        return finished.size() == range.to().size() && futures.isEmpty()
                && buffers.values().stream().allMatch(ArrayDeque::isEmpty);
    }

    private void buffer(ConsumerRecord<byte[], byte[]> r) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (source instanceof Source.Range range && r.offset() >= range.to().get(tp)) {
            return; // past the range: the next phase reads it
        }
        ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = buffers.computeIfAbsent(tp, k -> new ArrayDeque<>());
        if (buffer.isEmpty()) {
            oldestBufferedNanos.put(tp, System.nanoTime());
        }
        buffer.add(r);
        bufferedBytes.merge(tp, estimatedBytes(r), Long::sum);
    }

    /** A document's JSON is about three times its Avro record. */
    private static long estimatedBytes(ConsumerRecord<byte[], byte[]> r) {
        return 3L * Math.max(0, r.serializedValueSize()) + 64;
    }

    /** Closes and submits batches while a slot is free and buffered records are due. */
    private void dispatch(boolean force) {
        while (futures.size() < batching.maxOutstanding()) {
            List<TopicPartition> ready = new ArrayList<>();
            long events = 0;
            long bytes = 0;
            long oldest = Long.MAX_VALUE;
            for (var e : buffers.entrySet()) {
                if (!e.getValue().isEmpty() && !inFlight.containsKey(e.getKey())) {
                    ready.add(e.getKey());
                    events += e.getValue().size();
                    bytes += bufferedBytes.getOrDefault(e.getKey(), 0L);
                    oldest = Math.min(oldest, oldestBufferedNanos.get(e.getKey()));
                }
            }
            if (ready.isEmpty()) {
                return;
            }
            boolean due = force || events >= batching.maxEvents() || bytes >= batching.maxBytes()
                    || System.nanoTime() - oldest >= batching.linger().toNanos();
            if (!due) {
                return;
            }
            ready.sort((a, b) -> Long.compare(oldestBufferedNanos.get(a), oldestBufferedNanos.get(b)));
            submit(close(ready));
        }
    }

    private Batch close(List<TopicPartition> ready) {
        LinkedHashMap<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> taken = new LinkedHashMap<>();
        int size = 0;
        long bytes = 0;
        for (TopicPartition tp : ready) {
            ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = buffers.get(tp);
            List<ConsumerRecord<byte[], byte[]>> part = new ArrayList<>();
            while (!buffer.isEmpty() && size < batching.maxEvents() && (bytes < batching.maxBytes() || size == 0)) {
                ConsumerRecord<byte[], byte[]> r = buffer.poll();
                long b = estimatedBytes(r);
                part.add(r);
                size++;
                bytes += b;
                bufferedBytes.merge(tp, -b, Long::sum);
            }
            if (!part.isEmpty()) {
                taken.put(tp, part);
            }
            if (buffer.isEmpty()) {
                oldestBufferedNanos.remove(tp);
            }
            if (size >= batching.maxEvents() || bytes >= batching.maxBytes()) {
                break;
            }
        }
        return new Batch(taken, size, bytes);
    }

    private void submit(Batch batch) {
        batch.records().keySet().forEach(tp -> inFlight.put(tp, batch));
        metrics.batchClosed(batch.size(), batch.bytes());
        futures.put(batch, CompletableFuture.runAsync(() -> task.run(batch), workers));
    }

    /** Waits until a batch finishes, at most 100 ms (rebalances and stops are seen in the next poll). */
    private void awaitAnyFinished() {
        try {
            CompletableFuture.anyOf(futures.values().toArray(CompletableFuture[]::new)).get(100, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // a failure is handled when the batch completes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        }
    }

    private void completeFinished() {
        List<Batch> done = new ArrayList<>();
        futures.forEach((batch, future) -> {
            if (future.isDone()) {
                done.add(batch);
            }
        });
        for (Batch batch : done) {
            complete(batch, false);
        }
    }

    /**
     * Commits a finished batch, or puts an abandoned one's partitions back to its first offsets.
     * Async commits keep the loop going; Kafka applies one consumer's commits in order, and a
     * revocation or close commits synchronously.
     */
    private void complete(Batch batch, boolean sync) {
        CompletableFuture<Void> future = futures.remove(batch);
        batch.records().keySet().forEach(tp -> inFlight.remove(tp, batch));
        try {
            future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ElasticsearchProjection.AbortedException) {
                rewind(batch);
                return;
            }
            throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rewind(batch);
            return;
        }
        var offsets = batch.nextOffsets();
        offsets.keySet().retainAll(consumer.assignment());
        pastMarkers(offsets);
        if (offsets.isEmpty()) {
            // revoked meanwhile: the revocation committed it
        } else if (sync) {
            try {
                consumer.commitSync(offsets);
            } catch (WakeupException | InterruptException e) {
                throw e;
            } catch (KafkaException e) {
                // A broker restarting or a rebalance: the next owner (or we) read them again, as no-ops.
                log.warn("commit of {} failed; those events will be projected again (no-ops): {}", offsets, e.toString());
            }
        } else {
            consumer.commitAsync(offsets, (committed, e) -> {
                if (e != null) {
                    log.warn("commit of {} failed; those events will be projected again (no-ops): {}", committed, e.toString());
                }
            });
        }
        batch.records().forEach((tp, rs) -> lastDoneTimestamp.put(tp, rs.get(rs.size() - 1).timestamp()));
        projected.addAndGet(batch.size());
    }

    /**
     * For a partition with nothing buffered or in flight after this batch, commits the consumer's
     * position rather than the batch's last offset + 1: past the transaction markers that follow a
     * transactional producer's records, so that the group's committed lag reads 0 (not one per
     * partition) once everything is projected. Only the live loop: a range must not commit past its end.
     */
    private void pastMarkers(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (!(source instanceof Source.Subscribe)) {
            return;
        }
        for (var e : offsets.entrySet()) {
            TopicPartition tp = e.getKey();
            ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = buffers.get(tp);
            if (inFlight.containsKey(tp) || (buffer != null && !buffer.isEmpty())) {
                continue;
            }
            OptionalLong position = position(tp);
            if (position.isPresent() && position.getAsLong() > e.getValue().offset()) {
                e.setValue(new OffsetAndMetadata(position.getAsLong(),
                        e.getValue().metadata()));
            }
        }
    }

    /** The consumer's position if it knows it without a request, else empty. */
    private OptionalLong position(TopicPartition tp) {
        try {
            return OptionalLong.of(consumer.position(tp, Duration.ZERO));
        } catch (org.apache.kafka.common.errors.TimeoutException | IllegalStateException e) {
            return OptionalLong.empty();
        }
    }

    /** The batch was not written in full: read its partitions again from where it started. */
    private void rewind(Batch batch) {
        Set<TopicPartition> assigned = consumer.assignment();
        for (TopicPartition tp : batch.records().keySet()) {
            if (assigned.contains(tp)) {
                consumer.seek(tp, batch.firstOffset(tp));
                dropBuffer(tp);
                if (finished.remove(tp)) {
                    consumer.resume(List.of(tp));
                }
            }
        }
    }

    private void dropBuffer(TopicPartition tp) {
        buffers.remove(tp);
        bufferedBytes.remove(tp);
        oldestBufferedNanos.remove(tp);
    }

    /** Waits for the batches up to the deadline, abandons the rest, and completes them all. */
    private void drain(Collection<Batch> batches, Duration deadline) {
        long until = System.nanoTime() + deadline.toNanos();
        for (Batch batch : new ArrayList<>(batches)) {
            try {
                futures.get(batch).get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                log.warn("a batch of {} events did not finish within {} s; abandoning it, its offsets stay uncommitted",
                        batch.size(), deadline.toSeconds());
                batch.abort();
            } catch (ExecutionException | InterruptedException e) {
                // handled by complete()
            }
        }
        for (Batch batch : new ArrayList<>(batches)) {
            try {
                futures.get(batch).handle((v, e) -> null).get();
                complete(batch, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | RuntimeException e) {
                log.warn("batch of {} events ended with an error; its offsets stay uncommitted: {}", batch.size(),
                        e.toString());
            }
        }
    }

    private void applyBackpressure() {
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        for (var e : buffers.entrySet()) {
            int size = e.getValue().size();
            // One full batch waiting per partition is enough to fill any free slot at once (a partition
            // has at most one batch out); more only waits in the heap.
            if (size >= batching.maxEvents() && paused.add(e.getKey())) {
                pause.add(e.getKey());
            } else if (size < batching.maxEvents() && paused.remove(e.getKey())) {
                resume.add(e.getKey());
            }
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
            log.debug("paused {}: buffers full while their bulks are in flight", pause);
        }
        resume.removeAll(finished);
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    private void updateLag() {
        long now = System.nanoTime();
        if (now - lastLagUpdate < LAG_INTERVAL_NANOS) {
            return;
        }
        lastLagUpdate = now;
        Set<TopicPartition> assigned = consumer.assignment();
        if (source instanceof Source.Subscribe) {
            metrics.status().assigned(!assigned.isEmpty());
        }
        if (assigned.isEmpty()) {
            return;
        }
        // The consumer's own lag (no request; under read_committed up to the last stable offset, so
        // transaction markers do not count). A paused partition is not fetched, so its end is asked for,
        // and a failure of that request leaves the lag unknown, never stops the loop.
        Map<TopicPartition, Long> fetchedLag = new HashMap<>();
        Set<TopicPartition> ask = new HashSet<>();
        for (TopicPartition tp : assigned) {
            OptionalLong current = consumer.currentLag(tp);
            if (current.isPresent() && !paused.contains(tp)) {
                fetchedLag.put(tp, current.getAsLong());
            } else {
                ask.add(tp);
            }
        }
        if (!ask.isEmpty()) {
            try {
                Map<TopicPartition, Long> end = consumer.endOffsets(ask, Duration.ofMillis(500));
                for (TopicPartition tp : ask) {
                    OptionalLong position = position(tp);
                    Long e = end.get(tp);
                    if (position.isPresent() && e != null) {
                        fetchedLag.put(tp, Math.max(0, e - position.getAsLong()));
                    }
                }
            } catch (WakeupException | InterruptException e) {
                throw e;
            } catch (KafkaException e) {
                log.debug("lag of {} unknown for now: {}", ask, e.toString());
            }
        }
        long wallNow = System.currentTimeMillis();
        for (TopicPartition tp : assigned) {
            Long fetched = fetchedLag.get(tp);
            if (fetched == null) {
                continue; // unknown: the gauge keeps its last value
            }
            long unprojected = 0;
            long openTimestamp = -1;
            long firstOpen = -1;
            Batch batch = inFlight.get(tp);
            ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = buffers.get(tp);
            if (batch != null) {
                firstOpen = batch.firstOffset(tp);
                openTimestamp = batch.firstTimestamp(tp);
            } else if (buffer != null && !buffer.isEmpty()) {
                firstOpen = buffer.peek().offset();
                openTimestamp = buffer.peek().timestamp();
            }
            if (firstOpen >= 0) {
                OptionalLong position = position(tp);
                if (position.isEmpty()) {
                    continue;
                }
                unprojected = Math.max(0, position.getAsLong() - firstOpen);
            }
            long lag = Math.max(0, fetched) + unprojected;
            ProjectorMetrics.Lag meter = metrics.lag(tp);
            meter.records.set(lag);
            long since = openTimestamp >= 0 ? openTimestamp : lastDoneTimestamp.getOrDefault(tp, wallNow);
            meter.millis.set(lag == 0 ? 0 : Math.max(0, wallNow - since));
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            partitions.forEach(metrics::lag);
            metrics.status().assigned(!consumer.assignment().isEmpty());
            lastLagUpdate = 0;
            log.info("assigned {}", partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Finish the batches of the partitions we give up, commit them, drop what is buffered.
            drain(batchesOf(partitions), REVOKE_DEADLINE);
            forget(partitions);
            log.info("revoked {}; committed what was acknowledged", partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Another worker owns them already: commit nothing, stop writing.
            batchesOf(partitions).forEach(Batch::abort);
            drain(batchesOf(partitions), REVOKE_DEADLINE);
            forget(partitions);
            log.warn("lost {}; their unacknowledged records are left to the new owner", partitions);
        }

        private Set<Batch> batchesOf(Collection<TopicPartition> partitions) {
            Set<Batch> batches = new LinkedHashSet<>();
            for (TopicPartition tp : partitions) {
                Batch b = inFlight.get(tp);
                if (b != null) {
                    batches.add(b);
                }
            }
            return batches;
        }

        private void forget(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                dropBuffer(tp);
                paused.remove(tp);
                lastDoneTimestamp.remove(tp);
                metrics.removeLag(tp);
            }
            metrics.status().assigned(!consumer.assignment().stream().allMatch(partitions::contains));
        }
    }
}
