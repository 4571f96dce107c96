package io.eventflow.e2e;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Services started as their own JVMs on the test's class path, so a test can kill them with
 * SIGKILL. Each gets a properties file and a log under target/it-logs; the server addresses come
 * from the file, never from the test's environment.
 */
final class ChildJvm implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();

    static Path log(String name) {
        return Path.of("target", "it-logs", name + ".log");
    }

    Process start(Class<?> main, String name, Map<String, String> config) throws IOException {
        return start(main, name, config, Map.of());
    }

    /** As above, with {@code env} added to the child's environment (after the server addresses are removed). */
    Process start(Class<?> main, String name, Map<String, String> config, Map<String, String> env) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "it-logs"));
        Path props = dir.resolve(name + ".properties");
        Properties p = new Properties();
        p.putAll(config);
        try (Writer w = Files.newBufferedWriter(props)) {
            p.store(w, null);
        }
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), main.getName(), props.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("KAFKA_") || k.startsWith("ELASTICSEARCH_")
                || k.startsWith("SCHEMA_REGISTRY_"));
        pb.environment().putAll(env);
        Process process = pb.start();
        processes.add(process);
        return process;
    }

    /** Kills every process started here and waits until they are gone. */
    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
