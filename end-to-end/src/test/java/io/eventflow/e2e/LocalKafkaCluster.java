package io.eventflow.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Kafka cluster of its own for one test, run by {@code bin/stack start --brokers 3 kafka} with a
 * STACK_HOME under target/ and free ports, so that the test can kill -9 and restart single brokers
 * without touching the shared stack. Kafka's jars come from the shared stack's STACK_HOME when it
 * has them (no second fetch). Not thread-safe; brokers are numbered 1..3 (node ids).
 */
final class LocalKafkaCluster implements AutoCloseable {
    static final int BROKERS = 3;

    private final Path stack;
    private final Path home;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Integer> controllerPorts = new ArrayList<>();

    /** @param name the STACK_HOME's directory name under target/ */
    LocalKafkaCluster(String name) throws Exception {
        String configured = System.getenv("EVENTFLOW_STACK");
        stack = (configured == null || configured.isBlank() ? Path.of("..", "bin", "stack") : Path.of(configured))
                .toAbsolutePath().normalize();
        home = Path.of("target", name).toAbsolutePath();
        if (Files.exists(home.resolve("kafka-cluster.env"))) {
            run("stop", "kafka"); // a previous run's leftovers, on the ports it recorded
        }
        deleteRecursively(home);
        Files.createDirectories(home.resolve("dist"));
        Path jars = sharedKafkaDist();
        if (jars != null) {
            Files.createSymbolicLink(home.resolve("dist").resolve("kafka"), jars);
        }
        for (int i = 0; i < BROKERS; i++) {
            ports.add(freePort());
            controllerPorts.add(freePort());
        }
        run("start", "--brokers", String.valueOf(BROKERS), "kafka");
    }

    /** host:port of every broker, comma separated. */
    String bootstrapServers() {
        return ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    /** The pid of broker {@code node} (1..3), from its pid file. */
    long pid(int node) throws IOException {
        return Long.parseLong(Files.readString(home.resolve("run").resolve("kafka-" + node + ".pid")).trim());
    }

    /** kill -9 of broker {@code node}; returns once the process is gone. */
    void kill(int node) throws Exception {
        long pid = pid(node);
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start();
        if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -9 " + pid + " failed");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("broker " + node + " (pid " + pid + ") still alive after kill -9");
            }
            Thread.sleep(50);
        }
    }

    /** bin/stack start kafka-N: returns once the broker is up again. */
    void start(int node) throws Exception {
        run("start", "kafka-" + node);
    }

    Path log(int node) {
        return home.resolve("logs").resolve("kafka-" + node + ".log");
    }

    private void run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(stack.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Files.createDirectories(home).resolve("stack.out").toFile()));
        Map<String, String> env = pb.environment();
        env.put("STACK_HOME", home.toString());
        env.put("KAFKA_PORT", String.valueOf(ports.isEmpty() ? freePort() : ports.get(0)));
        env.put("KAFKA_CONTROLLER_PORT", String.valueOf(controllerPorts.isEmpty() ? freePort() : controllerPorts.get(0)));
        env.put("KAFKA_PORTS", ports.stream().map(String::valueOf).collect(Collectors.joining(",")));
        env.put("KAFKA_CONTROLLER_PORTS", controllerPorts.stream().map(String::valueOf).collect(Collectors.joining(",")));
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("bin/stack " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("bin/stack " + String.join(" ", args) + " failed (exit " + p.exitValue()
                    + "):\n" + Files.readString(home.resolve("stack.out")));
        }
    }

    /** The shared stack's Kafka jars, when it has fetched them. */
    private static Path sharedKafkaDist() {
        String sharedHome = System.getenv("STACK_HOME");
        Path base = sharedHome == null || sharedHome.isBlank() ? Path.of("..", ".local", "stack") : Path.of(sharedHome);
        Path kafka = base.resolve("dist").resolve("kafka").toAbsolutePath().normalize();
        return Files.exists(kafka.resolve(".complete")) ? kafka : null;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Deletes {@code dir} and everything below it; symbolic links are deleted, never followed. */
    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Stops every broker; the data stays under target/ for a look after a failure. */
    @Override
    public void close() throws Exception {
        run("stop", "kafka");
    }
}
