package io.eventflow.bench;

import java.io.IOException;

/**
 * Where the CPU of one side of a benchmark went, so a run can say what limits it: the
 * Elasticsearch server, the Kafka broker, and the client that feeds Elasticsearch (the service's
 * JVM, or the benchmark's own JVM for BulkIngester). Taken between {@link #start} and {@link #stop};
 * Linux only.
 */
final class CpuShare {
    static final String ELASTICSEARCH = "org.elasticsearch.bootstrap.Elasticsearch";
    static final String KAFKA = "kafka.Kafka";

    private final long es0;
    private final long kafka0;
    private final long[] machine0;
    private final long[] node0;
    private long[] node;
    private long esTicks;
    private long kafkaTicks;
    private long machineTicks;
    private long machineBusyTicks;

    private CpuShare() throws IOException {
        es0 = ProcessStats.cpuTicksMatching(ELASTICSEARCH);
        kafka0 = ProcessStats.cpuTicksMatching(KAFKA);
        machine0 = ProcessStats.machineTicks();
        node0 = nodeStats();
    }

    /** What the Elasticsearch node did, summed over its indices; see {@link #STATS}. */
    private static final String[] STATS = {"indexing.index_total", "get.total", "refresh.total",
        "refresh.external_total", "merges.total", "merges.total_time_in_millis", "flush.total",
        "indexing.index_time_in_millis", "search.query_total"};

    private static long[] nodeStats() throws IOException {
        String url = System.getenv("ELASTICSEARCH_URL");
        long[] out = new long[STATS.length];
        if (url == null) {
            return out;
        }
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(url + "/_nodes/_local/stats/indices")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            var nodes = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("nodes");
            if (response.statusCode() != 200 || !nodes.elements().hasNext()) {
                return out; // e.g. a secured node: the figures are left at zero, the benchmark goes on
            }
            var indices = nodes.elements().next().path("indices");
            for (int i = 0; i < STATS.length; i++) {
                String[] path = STATS[i].split("\\.");
                out[i] = indices.path(path[0]).path(path[1]).asLong();
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static CpuShare start() throws IOException {
        return new CpuShare();
    }

    CpuShare stop() throws IOException {
        esTicks = ProcessStats.cpuTicksMatching(ELASTICSEARCH) - es0;
        kafkaTicks = ProcessStats.cpuTicksMatching(KAFKA) - kafka0;
        long[] machine = ProcessStats.machineTicks();
        machineTicks = machine[0] - machine0[0];
        machineBusyTicks = machineTicks - (machine[1] - machine0[1]);
        node = nodeStats();
        return this;
    }

    /**
     * One line: CPU milliseconds per 1,000 events of Elasticsearch, Kafka, the client, and
     * everything else that ran, plus how busy the machine was.
     *
     * @param clientTicks the client's CPU over the same span, in clock ticks
     */
    String line(long events, long clientTicks) {
        double per = 1000.0 / events * 1000.0 / ProcessStats.TICKS_PER_SECOND; // ms per 1,000 events per tick
        long cores = Runtime.getRuntime().availableProcessors();
        // /proc/stat counts ticks per core; busy ticks include every process.
        long other = Math.max(0, machineBusyTicks - esTicks - kafkaTicks - clientTicks);
        return String.format("Elasticsearch %.0f, Kafka %.0f, client %.0f, other %.0f CPU ms per 1,000 events; "
                + "machine %.0f%% busy (%d cores)", esTicks * per, kafkaTicks * per, clientTicks * per, other * per,
                machineTicks == 0 ? 0 : 100.0 * machineBusyTicks / machineTicks, cores);
    }

    /** What the Elasticsearch node did over the span: documents indexed, gets, refreshes, merges... */
    String nodeLine() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < STATS.length; i++) {
            b.append(i == 0 ? "" : ", ").append(STATS[i]).append(' ').append(String.format("%,d", node[i] - node0[i]));
        }
        return b.toString();
    }
}
