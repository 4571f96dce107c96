package io.eventflow.bench;

import co.elastic.clients.elasticsearch._types.VersionType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDocument;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The baseline as its own, freshly started JVM, as cold as the service it is compared with: the
 * parent writes the documents to a file ({@link Writer}), this JVM reads them into memory (untimed)
 * and then feeds them to {@code BulkIngester} ({@link Baseline}), timed. Run in the benchmark's own
 * JVM, the baseline's JSON path had been compiled by the JIT while the benchmark pre-produced the
 * load, and the service's JVM paid for its warm-up alone.
 *
 * <p>File: one JSON object per line, {@code {"e": 1, "d": event document}} or
 * {@code {"p": 1, "id": id, "v": version, "d": document}} (external version). Arguments:
 * FILE BATCH IN_FLIGHT EVENTS EVENTS_INDEX [MODEL_INDEX]; {@code ELASTICSEARCH_URL} from the
 * environment. Prints one {@code RESULT} line, then the CPU lines of {@link Baseline.Result#cpuShare}.
 */
public final class BaselineChild {
    private static final Pattern RESULT = Pattern.compile("^RESULT seconds=([0-9.]+) requests=(\\d+)$");

    /** An event document or a read-model document, and where it goes. */
    private sealed interface Op {
    }

    private record EventOp(String index, EventDocument doc) implements Op {
    }

    private record ModelOp(String index, String id, long version, Map<String, Object> doc) implements Op {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int batch = Integer.parseInt(args[1]);
        int inFlight = Integer.parseInt(args[2]);
        long events = Long.parseLong(args[3]);
        String eventsIndex = args[4];
        String modelIndex = args.length > 5 ? args[5] : null;
        ObjectMapper mapper = ElasticsearchClients.objectMapper();
        List<Op> ops = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            for (String line; (line = in.readLine()) != null; ) {
                JsonNode n = mapper.readTree(line);
                if (n.has("e")) {
                    ops.add(new EventOp(eventsIndex, mapper.treeToValue(n.get("d"), EventDocument.class)));
                } else {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> doc = mapper.treeToValue(n.get("d"), Map.class);
                    ops.add(new ModelOp(java.util.Objects.requireNonNull(modelIndex, "MODEL_INDEX"), n.get("id").asText(),
                            n.get("v").asLong(), doc));
                }
            }
        }
        var es = ElasticsearchClients.connect(ProcessStats.env("ELASTICSEARCH_URL"));
        try {
            Baseline.Result r = Baseline.run(es, batch, inFlight, ingester -> {
                for (Op op : ops) {
                    if (op instanceof EventOp e) {
                        ingester.add(o -> o.create(c -> c.index(e.index()).id(e.doc().eventId())
                                .routing(e.doc().aggregateId()).document(e.doc())));
                    } else {
                        ModelOp m = (ModelOp) op;
                        ingester.add(o -> o.index(x -> x.index(m.index()).id(m.id()).version(m.version())
                                .versionType(VersionType.External).document(m.doc())));
                    }
                }
            });
            System.out.printf("RESULT seconds=%.3f requests=%d%n", r.seconds(), r.requests());
            System.out.println(r.cpuShare(events));
        } finally {
            ElasticsearchClients.close(es);
        }
    }

    /** Writes the documents for a child. */
    static final class Writer implements AutoCloseable {
        private final ObjectMapper mapper = ElasticsearchClients.objectMapper();
        private final BufferedWriter out;

        Writer(Path file) throws IOException {
            Files.createDirectories(file.getParent());
            out = Files.newBufferedWriter(file);
        }

        void event(EventDocument doc) throws IOException {
            out.write(mapper.writeValueAsString(Map.of("e", 1, "d", doc)));
            out.newLine();
        }

        void model(String id, long version, Map<String, Object> doc) throws IOException {
            out.write(mapper.writeValueAsString(Map.of("p", 1, "id", id, "v", version, "d", doc)));
            out.newLine();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** What a child measured: seconds and requests, and its CPU lines. */
    record Run(double seconds, long requests, String cpuShare) {
    }

    /**
     * Runs a child over {@code file} into the indices (or aliases) named and returns what it measured.
     *
     * @param modelIndex null when the file holds only event documents
     */
    static Run run(Path file, int batch, int inFlight, long events, String eventsIndex, String modelIndex)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("java.class.path");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx4g", "-cp", classpath, BaselineChild.class.getName(),
                file.toString(), String.valueOf(batch), String.valueOf(inFlight), String.valueOf(events), eventsIndex));
        if (modelIndex != null) {
            command.add(modelIndex);
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        Double seconds = null;
        long requests = 0;
        StringBuilder cpu = new StringBuilder();
        try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                Matcher m = RESULT.matcher(line);
                if (m.matches()) {
                    seconds = Double.parseDouble(m.group(1));
                    requests = Long.parseLong(m.group(2));
                } else if (seconds != null) {
                    cpu.append(cpu.length() == 0 ? "" : "\n").append(line);
                } else if (!line.contains(" INFO ")) {
                    System.out.println("  | " + line);
                }
            }
        }
        int exit = p.waitFor();
        if (exit != 0 || seconds == null) {
            throw new IllegalStateException("the baseline JVM failed (exit " + exit + ")");
        }
        return new Run(seconds, requests, cpu.toString());
    }
}
