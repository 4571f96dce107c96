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
    private long esTicks;
    private long kafkaTicks;
    private long machineTicks;
    private long machineBusyTicks;

    private CpuShare() throws IOException {
        es0 = ProcessStats.cpuTicksMatching(ELASTICSEARCH);
        kafka0 = ProcessStats.cpuTicksMatching(KAFKA);
        machine0 = ProcessStats.machineTicks();
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
}
