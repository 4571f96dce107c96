package io.eventflow.projection.sink;

import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The bulk requests of all batches in flight. A batch's writes wait in a queue; whichever caller
 * gets a request slot sends the oldest event writes queued together with every read-model write
 * queued, its own or another batch's, in one request. A batch writes its read model only after
 * its events were acknowledged, so alone it needs two requests, one after the other; shared, its
 * read-model writes ride along with the next batch's events. A request never holds the events of
 * two batches, so requests are no larger than a batch plus the read-model writes waiting.
 *
 * <p>Writes of one caller stay in order and in one request. Outcomes are per write; a request
 * that fails fails every write in it, and each caller decides about its own (retry or give up).
 * Thread-safe.
 */
final class BulkQueue {
    /** Sends one bulk request: one response item per operation, in order. */
    @FunctionalInterface
    interface Sender {
        List<BulkResponseItem> send(List<BulkOperation> ops) throws Exception;
    }

    /**
     * At most this many operations in a request made of several callers' writes: a rebuild of a
     * read model queues nothing but read-model writes, which would otherwise all go in one request.
     */
    static final int MAX_SHARED_OPERATIONS = 10_000;

    private final Semaphore slots;
    private final Sender sender;
    private final SinkMetrics metrics;
    /** Guarded by itself. */
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();

    private static final class Pending {
        final List<BulkOperation> ops;
        final boolean readModel;
        final CompletableFuture<List<BulkResponseItem>> result = new CompletableFuture<>();
        /** Guarded by the queue: set when a sender took it. */
        boolean taken;

        Pending(List<BulkOperation> ops, boolean readModel) {
            this.ops = ops;
            this.readModel = readModel;
        }
    }

    /** @param slots the requests that may be in flight, shared with the projection's reads */
    BulkQueue(Semaphore slots, Sender sender, SinkMetrics metrics) {
        this.slots = Objects.requireNonNull(slots, "slots");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Sends {@code ops}, perhaps with other callers' writes, and returns their response items in
     * order.
     *
     * @param readModel true for read-model writes, which may share a request with any other writes
     * @throws Exception what the request that carried them threw
     * @throws ElasticsearchProjection.AbortedException when {@code abort} turned true first
     */
    List<BulkResponseItem> send(List<BulkOperation> ops, boolean readModel, BooleanSupplier abort) throws Exception {
        Pending mine = new Pending(List.copyOf(ops), readModel);
        synchronized (queue) {
            queue.add(mine);
        }
        while (true) {
            boolean taken;
            synchronized (queue) {
                taken = mine.taken;
            }
            if (taken) {
                return await(mine, abort);
            }
            if (abort.getAsBoolean()) {
                synchronized (queue) {
                    if (!mine.taken) {
                        queue.remove(mine);
                        throw new ElasticsearchProjection.AbortedException();
                    }
                }
                return await(mine, abort);
            }
            if (slots.tryAcquire()) {
                try {
                    // Not when another sender took ours meanwhile: sending a third caller's writes
                    // would hold our answer back for a whole request.
                    List<Pending> group = take(mine);
                    if (!group.isEmpty()) {
                        send(group);
                    }
                } finally {
                    slots.release();
                    synchronized (queue) {
                        queue.notifyAll();
                    }
                }
                continue;
            }
            synchronized (queue) {
                if (!mine.taken) {
                    try {
                        // Woken when a sender frees its slot; the reads that share the slots do not
                        // wake anyone, hence the timeout.
                        queue.wait(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        queue.remove(mine);
                        throw new ElasticsearchProjection.AbortedException();
                    }
                }
            }
        }
    }

    /** Callers whose writes wait for a sender. */
    int waiting() {
        synchronized (queue) {
            return queue.size();
        }
    }

    /**
     * The oldest event writes queued, if any, and the read-model writes queued, as long as the
     * request stays within {@link #MAX_SHARED_OPERATIONS} (one caller's writes always go whole);
     * marked taken. Nothing when {@code mine} was taken already.
     */
    private List<Pending> take(Pending mine) {
        List<Pending> group = new ArrayList<>();
        synchronized (queue) {
            if (mine.taken) {
                return group;
            }
            boolean events = false;
            int size = 0;
            for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if ((p.readModel || !events) && (group.isEmpty() || size + p.ops.size() <= MAX_SHARED_OPERATIONS)) {
                    events |= !p.readModel;
                    size += p.ops.size();
                    p.taken = true;
                    group.add(p);
                    it.remove();
                }
            }
        }
        return group;
    }

    private void send(List<Pending> group) {
        List<BulkOperation> ops = new ArrayList<>();
        group.forEach(p -> ops.addAll(p.ops));
        long start = System.nanoTime();
        List<BulkResponseItem> items;
        try {
            items = sender.send(ops);
        } catch (Exception e) {
            group.forEach(p -> p.result.completeExceptionally(e));
            return;
        } finally {
            metrics.bulk(System.nanoTime() - start);
        }
        if (items.size() != ops.size()) {
            IllegalStateException e = new IllegalStateException("bulk answered " + items.size() + " items for "
                    + ops.size() + " operations");
            group.forEach(p -> p.result.completeExceptionally(e));
            return;
        }
        int from = 0;
        for (Pending p : group) {
            p.result.complete(List.copyOf(items.subList(from, from + p.ops.size())));
            from += p.ops.size();
        }
    }

    /** The result of writes another caller sent, or is sending. */
    private static List<BulkResponseItem> await(Pending mine, BooleanSupplier abort) throws Exception {
        while (true) {
            try {
                return mine.result.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (abort.getAsBoolean()) {
                    // Already on its way: the writes are idempotent, and the batch will be read again.
                    throw new ElasticsearchProjection.AbortedException();
                }
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ElasticsearchProjection.AbortedException();
            }
        }
    }
}
