package io.eventflow.projection.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.bulk.OperationType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BulkQueueTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();
    /** The ids of each request sent, in order. */
    private final List<List<String>> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean holdFirst = new AtomicBoolean(true);
    private volatile IOException failWith;

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private final BulkQueue.Sender sender = ops -> {
        List<String> ids = new ArrayList<>();
        ops.forEach(op -> ids.add(op.isCreate() ? op.create().id() : op.index().id()));
        requests.add(ids);
        if (holdFirst.getAndSet(false)) {
            release.await(10, TimeUnit.SECONDS);
        }
        if (failWith != null) {
            throw failWith;
        }
        List<BulkResponseItem> items = new ArrayList<>();
        for (String id : ids) {
            items.add(BulkResponseItem.of(i -> i.operationType(OperationType.Create).index("x").id(id).status(201)));
        }
        return items;
    };

    private static List<BulkOperation> events(String... ids) {
        List<BulkOperation> ops = new ArrayList<>();
        for (String id : ids) {
            ops.add(BulkOperation.of(b -> b.create(c -> c.index("events").id(id).document(Map.of()))));
        }
        return ops;
    }

    private static List<BulkOperation> readModel(String... ids) {
        List<BulkOperation> ops = new ArrayList<>();
        for (String id : ids) {
            ops.add(BulkOperation.of(b -> b.index(x -> x.index("payments").id(id).document(Map.of()))));
        }
        return ops;
    }

    private CompletableFuture<List<String>> send(BulkQueue q, List<BulkOperation> ops, boolean readModel) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                List<String> ids = new ArrayList<>();
                q.send(ops, readModel, () -> false).forEach(i -> ids.add(i.id()));
                return ids;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, pool);
    }

    private BulkQueue queue(int slots) {
        return new BulkQueue(new Semaphore(slots), sender, new NoMetrics());
    }

    @Test
    void readModelWritesRideAlongWithTheNextEventsButTwoBatchesOfEventsNeverShareARequest() throws Exception {
        BulkQueue q = queue(1);
        var a = send(q, events("a1", "a2"), false);
        until(() -> requests.size() == 1); // a holds the only slot
        var b = send(q, readModel("b"), true);
        until(() -> q.waiting() == 1);
        var c = send(q, events("c1"), false);
        until(() -> q.waiting() == 2);
        var d = send(q, events("d1"), false);
        until(() -> q.waiting() == 3);
        release.countDown();

        assertThat(a.get(5, TimeUnit.SECONDS)).containsExactly("a1", "a2");
        assertThat(b.get(5, TimeUnit.SECONDS)).containsExactly("b");
        assertThat(c.get(5, TimeUnit.SECONDS)).containsExactly("c1");
        assertThat(d.get(5, TimeUnit.SECONDS)).containsExactly("d1");
        assertThat(requests).containsExactly(List.of("a1", "a2"), List.of("b", "c1"), List.of("d1"));
    }

    @Test
    void aFailedRequestFailsEveryWriteInIt() throws Exception {
        BulkQueue q = queue(1);
        var a = send(q, events("a1"), false);
        until(() -> requests.size() == 1);
        var b = send(q, readModel("b"), true);
        until(() -> q.waiting() == 1);
        var c = send(q, events("c1"), false);
        until(() -> q.waiting() == 2);
        failWith = new IOException("connection reset");
        release.countDown();

        for (var f : List.of(a, b, c)) {
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("connection reset");
        }
        assertThat(requests).containsExactly(List.of("a1"), List.of("b", "c1"));
    }

    @Test
    void anAbortedCallerLeavesTheQueueWhileItsWritesWait() throws Exception {
        BulkQueue q = queue(1);
        var a = send(q, events("a1"), false);
        until(() -> requests.size() == 1);
        AtomicBoolean abort = new AtomicBoolean();
        var b = CompletableFuture.runAsync(() -> {
            try {
                q.send(events("b1"), false, abort::get);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, pool);
        until(() -> q.waiting() == 1);
        abort.set(true);
        assertThatThrownBy(() -> b.get(5, TimeUnit.SECONDS)).hasRootCauseInstanceOf(ElasticsearchProjection.AbortedException.class);
        release.countDown();
        a.get(5, TimeUnit.SECONDS);
        assertThat(q.waiting()).isZero();
        send(q, events("c1"), false).get(5, TimeUnit.SECONDS);
        assertThat(requests).containsExactly(List.of("a1"), List.of("c1"));
    }

    private static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(5);
        }
    }

    private static final class NoMetrics implements SinkMetrics {
        @Override
        public void indexed(int n) {
        }

        @Override
        public void noop(String index, int n) {
        }

        @Override
        public void integrityError(String index) {
        }

        @Override
        public void gaps(int n) {
        }

        @Override
        public void retry(String cause) {
        }

        @Override
        public void bulk(long nanos) {
        }

        @Override
        public void elasticsearchFault(String fault) {
        }
    }
}
