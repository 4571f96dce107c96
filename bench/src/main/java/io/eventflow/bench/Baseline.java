package io.eventflow.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkIngester;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkListener;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The benchmarks' baseline: the Elasticsearch client's own bulk helper, {@code BulkIngester}, with
 * a given batch size and concurrency, fed documents from memory. Fails if any write fails.
 */
final class Baseline {
    /** How long the feed took to be acknowledged, in seconds, and how many bulk requests it made. */
    record Result(double seconds, long requests, CpuShare share, long clientTicks) {
        /** Where the CPU went while BulkIngester ran; the client is this JVM. */
        String cpuShare(long events) {
            return share.line(events, clientTicks) + "\n                                 " + share.nodeLine();
        }
    }

    private Baseline() {
    }

    static Result run(ElasticsearchClient es, int batch, int inFlight, Consumer<BulkIngester<Void>> feed) {
        AtomicLong failed = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        CpuShare share;
        long clientTicks;
        try {
            share = CpuShare.start();
            clientTicks = ProcessStats.cpuTicks(ProcessHandle.current().pid());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long start = System.nanoTime();
        try (BulkIngester<Void> ingester = BulkIngester.of(b -> b.client(es).maxOperations(batch)
                .maxSize(8L * 1024 * 1024).maxConcurrentRequests(inFlight).flushInterval(50, TimeUnit.MILLISECONDS)
                .listener(new BulkListener<Void>() {
                    @Override
                    public void beforeBulk(long executionId, BulkRequest request, List<Void> contexts) {
                        requests.incrementAndGet();
                    }

                    @Override
                    public void afterBulk(long executionId, BulkRequest request, List<Void> contexts,
                            BulkResponse response) {
                        response.items().forEach(i -> {
                            if (i.error() != null && i.status() != 409) {
                                failed.incrementAndGet();
                            }
                        });
                    }

                    @Override
                    public void afterBulk(long executionId, BulkRequest request, List<Void> contexts, Throwable e) {
                        failed.addAndGet(request.operations().size());
                    }
                }))) {
            feed.accept(ingester);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        try {
            share.stop();
            clientTicks = ProcessStats.cpuTicks(ProcessHandle.current().pid()) - clientTicks;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " baseline writes failed");
        }
        return new Result(seconds, requests.get(), share, clientTicks);
    }
}
