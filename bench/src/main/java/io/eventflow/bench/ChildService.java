package io.eventflow.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A service jar run as its own JVM, and timed by its consumer group's committed offsets: from the
 * first commit until {@code n} records are committed. {@code SERVICE_JAVA_OPTS} adds JVM options.
 */
final class ChildService {
    private final Process process;
    private final Path log;
    final long launchedNanos = System.nanoTime();

    /** What a run measured. Times in nanoseconds; CPU in cores averaged over the timed span. */
    record Timing(double seconds, double totalSeconds, double rate, double cores, double machineBusy, long peakRssKb,
            String cpuShare) {
    }

    ChildService(Path jar, String heap, Map<String, String> config, Path dir, String name) throws IOException {
        this(jar, heap, System.getenv("SERVICE_JAVA_OPTS"), config, dir, name);
    }

    /** @param extraOpts JVM options to add, separated by blanks; null for none */
    ChildService(Path jar, String heap, String extraOpts, Map<String, String> config, Path dir, String name)
            throws IOException {
        Files.createDirectories(dir);
        Path props = dir.resolve(name + ".properties");
        Properties p = new Properties();
        p.putAll(config);
        try (Writer w = Files.newBufferedWriter(props)) {
            p.store(w, null);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap));
        if (extraOpts != null && !extraOpts.isBlank()) {
            command.addAll(List.of(extraOpts.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString(), props.toString()));
        this.log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KAFKA_") || k.startsWith("ELASTICSEARCH_")
                || k.startsWith("SCHEMA_REGISTRY_"));
        this.process = pb.start();
        System.out.printf("%s pid %d (-Xmx%s), log %s%n", name, process.pid(), heap, log);
    }

    Timing awaitCommitted(String kafka, String group, long n) throws Exception {
        long firstProgress = 0;
        long committedAtFirst = 0;
        long cpuAtFirst = 0;
        long[] machineAtFirst = null;
        CpuShare share = null;
        long committed = 0;
        long lastPrint = System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            while (committed < n) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the service exited with " + process.exitValue() + "; see " + log);
                }
                Thread.sleep(100);
                committed = ProcessStats.committed(admin, group);
                if (firstProgress == 0 && committed > 0) {
                    firstProgress = System.nanoTime();
                    committedAtFirst = committed;
                    cpuAtFirst = ProcessStats.cpuTicks(process.pid());
                    machineAtFirst = ProcessStats.machineTicks();
                    share = CpuShare.start();
                }
                if (System.nanoTime() - lastPrint > 5_000_000_000L) {
                    lastPrint = System.nanoTime();
                    System.out.printf("  %,d / %,d committed, RSS %d MiB%n", committed, n,
                            ProcessStats.status(process.pid(), "VmRSS") / 1024);
                }
            }
        }
        long done = System.nanoTime();
        long cpu = ProcessStats.cpuTicks(process.pid()) - cpuAtFirst;
        long[] machine = ProcessStats.machineTicks();
        share.stop();
        double seconds = (done - firstProgress) / 1e9;
        return new Timing(seconds, (done - launchedNanos) / 1e9, (n - committedAtFirst) / seconds,
                cpu / (double) ProcessStats.TICKS_PER_SECOND / seconds,
                1 - (double) (machine[1] - machineAtFirst[1]) / (machine[0] - machineAtFirst[0]),
                ProcessStats.status(process.pid(), "VmHWM"),
                share.line(n - committedAtFirst, cpu) + "\n                                 " + share.nodeLine());
    }

    void stop() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
