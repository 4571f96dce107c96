package io.eventflow.bench;

import co.elastic.clients.elasticsearch._helpers.bulk.BulkIngester;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.EventStoreIndices;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Analytics API latency and throughput beside the same Elasticsearch queries sent directly, in one
 * run: statistics and search, with the API's cache off, then on. Indexes N events (default one
 * million) into fresh indices first, and deletes them at the end.
 */
public final class AnalyticsLatency {
    /** Latency is read with one client (no queueing); throughput with four (the machine saturated). */
    private static final int LATENCY_THREADS = 1;
    private static final int THREADS = 4;
    private static final Duration WARM_UP = Duration.ofSeconds(8);
    private static final Duration MEASURE = Duration.ofSeconds(12);
    private static final String KEY = "bench-admin-key";
    private static final String[] TYPES = {"PaymentProcessed", "PaymentRefunded", "PaymentFailed"};

    record Result(String name, double p50, double p99, double perSecond, long requests) {
        @Override
        public String toString() {
            return String.format("%-32s p50 %7.2f ms   p99 %7.2f ms   %8.0f req/s   (%,d requests)", name, p50, p99,
                    perSecond, requests);
        }
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path jar = Path.of(args.length > 1 ? args[1] : "analytics-api/target/analytics-api.jar");
        if (n < 5) {
            throw new IllegalArgumentException("the number of records must be at least 5, got " + n);
        }
        String esUrl = ProcessStats.env("ELASTICSEARCH_URL");
        String id = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        EventStoreIndices indices = io.eventflow.aggregate.AggregateIndices.of(id + "-", io.eventflow.aggregate.AggregateTypes.of(io.eventflow.payments.Payments.TYPE));
        Instant now = Instant.now();
        Instant from = now.minus(Duration.ofDays(30));

        var es = ElasticsearchClients.connect(esUrl);
        try {
            indices.ensure(es, 0);
            System.out.printf("indexing %,d events into %s...%n", n, indices.eventsAlias());
            long t0 = System.nanoTime();
            Random random = new Random(42);
            try (BulkIngester<Void> ingester = BulkIngester.of(b -> b.client(es).maxOperations(5_000)
                    .maxConcurrentRequests(2).flushInterval(1, TimeUnit.SECONDS))) {
                for (int i = 0; i < n; i++) {
                    String type = TYPES[random.nextInt(10) < 4 ? 0 : random.nextInt(10) < 7 ? 1 : 2];
                    String org = "org-" + random.nextInt(20);
                    String user = "u-" + random.nextInt(1_000);
                    Instant at = from.plusMillis((long) (random.nextDouble() * Duration.ofDays(30).toMillis()));
                    String payment = "pay-" + random.nextInt(n / 4 + 1);
                    EventDocument d = new EventDocument(UUID.randomUUID().toString(), payment, "Payment", type,
                            1 + random.nextInt(5), at, "corr", "cmd", Map.of("paymentId", payment, "amount", 1_000 + random.nextInt(100_000),
                                    "currency", random.nextBoolean() ? "EUR" : "USD", "error", random.nextInt(10) == 0 ? "card declined" : "none"),
                            Map.of("organizationId", org, "userId", user, "extra", Map.of("channel", "web")));
                    ingester.add(op -> op.create(c -> c.index(indices.eventsAlias()).id(d.eventId()).routing(d.aggregateId()).document(d)));
                }
            }
            es.indices().refresh(r -> r.index(indices.eventsAlias()));
            System.out.printf("  indexed in %.1f s%n", (System.nanoTime() - t0) / 1e9);

            String statsPath = "/events/stats?eventType=PaymentRefunded&from=" + from + "&to=" + now;
            String searchPath = "/events?aggregateType=Payment&eventType=PaymentFailed&size=100";
            String alias = indices.eventsAlias();
            String statsBody = """
                    {"size":0,"track_total_hits":true,"query":{"bool":{"filter":[{"term":{"eventType":"PaymentRefunded"}},
                    {"range":{"timestamp":{"gte":"%s","lte":"%s"}}}]}},
                    "aggs":{"by_hour":{"date_histogram":{"field":"timestamp","calendar_interval":"hour"}},
                    "by_organization":{"terms":{"field":"metadata.organizationId","size":100}},
                    "by_user":{"terms":{"field":"metadata.userId","size":100}}}}""".formatted(from, now);
            String searchBody = """
                    {"size":101,"track_total_hits":true,"query":{"bool":{"filter":[{"term":{"aggregateType":"Payment"}},
                    {"term":{"eventType":"PaymentFailed"}}]}},"sort":[{"timestamp":{"order":"desc"}},{"eventId":{"order":"asc"}}]}""";
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Supplier<HttpRequest> directStats = () -> HttpRequest.newBuilder(URI.create(esUrl + "/" + alias + "/_search"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(statsBody)).build();
            Supplier<HttpRequest> directSearch = () -> HttpRequest.newBuilder(URI.create(esUrl + "/" + alias + "/_search"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(searchBody)).build();

            List<Result> results = new ArrayList<>();
            for (boolean cache : new boolean[] {false, true}) {
                int port;
                try (ServerSocket s = new ServerSocket(0)) {
                    port = s.getLocalPort();
                }
                ChildService api = new ChildService(jar, "256m", Map.of("elasticsearch.url", esUrl,
                        "elasticsearch.index.prefix", id + "-", "http.port", String.valueOf(port), "http.host", "127.0.0.1",
                        "api.keys", KEY + ":*", "query.cache.ttl.ms", cache ? "60000" : "0"),
                        Path.of("bench", "target", id), "analytics-api-cache-" + (cache ? "on" : "off"));
                String base = "http://127.0.0.1:" + port;
                try {
                    awaitHealthy(http, base);
                    Supplier<HttpRequest> apiStats = () -> HttpRequest.newBuilder(URI.create(base + statsPath)).header("X-API-Key", KEY).build();
                    Supplier<HttpRequest> apiSearch = () -> HttpRequest.newBuilder(URI.create(base + searchPath)).header("X-API-Key", KEY).build();
                    String tag = cache ? " (cache on)" : " (cache off)";
                    for (int threads : new int[] {LATENCY_THREADS, THREADS}) {
                        String t = " x" + threads;
                        if (!cache) {
                            results.add(run(http, "direct stats" + t, directStats, threads));
                        }
                        results.add(run(http, "API stats" + tag + t, apiStats, threads));
                        if (!cache) {
                            results.add(run(http, "direct search" + t, directSearch, threads));
                        }
                        results.add(run(http, "API search" + tag + t, apiSearch, threads));
                    }
                } finally {
                    api.stop();
                }
            }

            System.out.println();
            System.out.printf("=== analytics API vs direct Elasticsearch (%,d events; x1 = one client for latency, "
                    + "x%d = %d clients for throughput; %d s each) ===%n", n, THREADS, THREADS, MEASURE.toSeconds());
            results.forEach(System.out::println);
            for (String what : List.of("stats", "search")) {
                Result d1 = find(results, "direct " + what + " x1");
                Result a1 = find(results, "API " + what + " (cache off) x1");
                Result d4 = find(results, "direct " + what + " x" + THREADS);
                Result a4 = find(results, "API " + what + " (cache off) x" + THREADS);
                Result c1 = find(results, "API " + what + " (cache on) x1");
                Result c4 = find(results, "API " + what + " (cache on) x" + THREADS);
                System.out.printf("%-6s cache off: p50 ratio %.3f (target <= 1.15), throughput ratio %.3f (target >= 0.85); "
                        + "p50 ratio under %d clients %.3f%n", what, a1.p50() / d1.p50(), a4.perSecond() / d4.perSecond(),
                        THREADS, a4.p50() / d4.p50());
                System.out.printf("%-6s cache on : p50 ratio %.3f, throughput ratio %.3f%n", what, c1.p50() / d1.p50(),
                        c4.perSecond() / d4.perSecond());
            }
        } finally {
            List<String> ours = List.copyOf(es.indices().get(g -> g.index(id + "-*")).result().keySet());
            if (!ours.isEmpty()) {
                es.indices().delete(d -> d.index(ours));
            }
            ElasticsearchClients.close(es);
        }
    }

    private static Result find(List<Result> results, String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    private static void awaitHealthy(HttpClient http, String base) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("analytics-api did not become healthy at " + base);
    }

    /** THREADS clients in a closed loop: a warm-up, then MEASURE of recorded latencies. */
    private static Result run(HttpClient http, String name, Supplier<HttpRequest> request, int threads) throws Exception {
        System.out.println("  " + name + "...");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long warmEnd = System.nanoTime() + WARM_UP.toNanos();
        long end = warmEnd + MEASURE.toNanos();
        List<Future<long[]>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                long[] lat = new long[1 << 20];
                int count = 0;
                while (true) {
                    long start = System.nanoTime();
                    if (start >= end) {
                        break;
                    }
                    HttpResponse<byte[]> r = http.send(request.get(), HttpResponse.BodyHandlers.ofByteArray());
                    long took = System.nanoTime() - start;
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(name + " answered " + r.statusCode() + ": " + new String(r.body()));
                    }
                    if (start >= warmEnd && count < lat.length) {
                        lat[count++] = took;
                    }
                }
                return Arrays.copyOf(lat, count);
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<long[]> f : futures) {
            for (long l : f.get()) {
                all.add(l);
            }
        }
        pool.shutdown();
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        double p50 = sorted[sorted.length / 2] / 1e6;
        double p99 = sorted[(int) (sorted.length * 0.99)] / 1e6;
        return new Result(name, p50, p99, sorted.length / (double) MEASURE.toSeconds(), sorted.length);
    }
}
