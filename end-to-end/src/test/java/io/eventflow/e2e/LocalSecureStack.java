package io.eventflow.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A secured Kafka broker and Elasticsearch node of their own for one test, run by
 * {@code bin/stack start --secure kafka|elasticsearch} with a STACK_HOME under target/ and free
 * ports: SASL/PLAIN and ACLs on Kafka, security with TLS on Elasticsearch's HTTP layer (a CA the
 * stack generates on its first start). The distributions come from the shared stack's STACK_HOME
 * when it has them. Not thread-safe.
 */
final class LocalSecureStack implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path stack;
    private final Path home;
    private final Map<String, String> ports = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final HttpClient https;

    private final String indexPattern;

    /** @param indexPattern the indices the services' Elasticsearch roles cover, e.g. {@code it-123-*} */
    LocalSecureStack(String name, String indexPattern) throws Exception {
        this.indexPattern = indexPattern;
        String configured = System.getenv("EVENTFLOW_STACK");
        stack = (configured == null || configured.isBlank() ? Path.of("..", "bin", "stack") : Path.of(configured))
                .toAbsolutePath().normalize();
        home = Path.of("target", name).toAbsolutePath();
        if (Files.exists(home.resolve("secure.env"))) {
            run("stop"); // a previous run's leftovers
        }
        LocalKafkaCluster.deleteRecursively(home);
        Files.createDirectories(home.resolve("dist"));
        Path shared = sharedDist();
        if (shared != null) {
            try (Stream<Path> dists = Files.list(shared)) {
                for (Path d : dists.filter(d -> Files.exists(d.resolve(".complete"))).toList()) {
                    Files.createSymbolicLink(home.resolve("dist").resolve(d.getFileName()), d);
                }
            }
        }
        // Held open together, so that no two of them are the same port.
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (String key : List.of("KAFKA_PORT", "KAFKA_CONTROLLER_PORT", "ES_PORT", "ES_TRANSPORT_PORT", "REGISTRY_PORT")) {
                ServerSocket socket = new ServerSocket(0);
                held.add(socket);
                ports.put(key, String.valueOf(socket.getLocalPort()));
            }
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
        run("start", "--secure", "kafka");
        run("start", "elasticsearch");
        for (String line : run("env").split("\n")) {
            if (line.startsWith("export ")) {
                String kv = line.substring("export ".length());
                int eq = kv.indexOf('=');
                String value = kv.substring(eq + 1);
                if (value.startsWith("'") && value.endsWith("'")) {
                    value = value.substring(1, value.length() - 1);
                }
                env.put(kv.substring(0, eq), value);
            }
        }
        https = HttpClient.newBuilder().sslContext(sslContext(caFile())).build();
    }

    String bootstrapServers() {
        return env.get("KAFKA_BOOTSTRAP_SERVERS");
    }

    String elasticsearchUrl() {
        return env.get("ELASTICSEARCH_URL");
    }

    int elasticsearchPort() {
        return Integer.parseInt(ports.get("ES_PORT"));
    }

    Path caFile() {
        return Path.of(env.get("ELASTICSEARCH_SSL_CERTIFICATE_AUTHORITIES"));
    }

    /** SHA-256 of the CA certificate, hex. */
    String caFingerprint() throws Exception {
        try (InputStream in = Files.newInputStream(caFile())) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ca.getEncoded()));
        }
    }

    /** The admin's SASL/PLAIN JAAS line. */
    String adminJaas() {
        return env.get("KAFKA_SASL_JAAS_CONFIG");
    }

    String esAdminPassword() {
        return env.get("ELASTICSEARCH_PASSWORD");
    }

    /** The password of Kafka user {@code user} (eventflow-command, eventflow-projector, eventflow-upstream). */
    String kafkaPassword(String user) {
        return env.get("STACK_KAFKA_" + user.toUpperCase().replace('-', '_') + "_PASSWORD");
    }

    /** The password of Elasticsearch user {@code user} (eventflow-command, eventflow-projector, eventflow-analytics). */
    String esPassword(String user) {
        return env.get("STACK_ES_" + user.toUpperCase().replace('-', '_') + "_PASSWORD");
    }

    String kafkaAdminPassword() {
        String jaas = adminJaas();
        int at = jaas.indexOf("password=\"") + "password=\"".length();
        return jaas.substring(at, jaas.indexOf('"', at));
    }

    static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** Client properties of SASL/PLAIN user {@code user}. */
    Map<String, Object> kafkaClient(String user, String password) {
        return new LinkedHashMap<>(Map.of("bootstrap.servers", bootstrapServers(), "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN", "sasl.jaas.config", jaas(user, password)));
    }

    /** A request to Elasticsearch as its file-realm super user; the JSON answer, or a failure naming the status. */
    JsonNode esAdmin(String method, String path, Object body) throws Exception {
        HttpResponse<String> r = es(method, path, body, "Basic " + Base64.getEncoder().encodeToString(
                ("eventflow-admin:" + esAdminPassword()).getBytes(StandardCharsets.UTF_8)));
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** A request to Elasticsearch with the given Authorization header. */
    HttpResponse<String> es(String method, String path, Object body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(elasticsearchUrl() + path))
                .header("Authorization", authorization).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static SSLContext sslContext(Path ca) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(ca)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private String run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(stack.toString()));
        command.addAll(List.of(args));
        Path out = Files.createDirectories(home).resolve("stack.out");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> penv = pb.environment();
        penv.put("STACK_HOME", home.toString());
        penv.putAll(ports);
        penv.put("STACK_ES_INDEX_PATTERN", indexPattern);
        Process p = pb.start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("bin/stack " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (!args[0].equals("env")) {
            Files.writeString(out, text, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("bin/stack " + String.join(" ", args) + " failed (exit " + p.exitValue()
                    + "):\n" + text);
        }
        return text;
    }

    /** The shared stack's distributions, when it has fetched them. */
    private static Path sharedDist() {
        String sharedHome = System.getenv("STACK_HOME");
        Path base = sharedHome == null || sharedHome.isBlank() ? Path.of("..", ".local", "stack") : Path.of(sharedHome);
        Path dist = base.resolve("dist").toAbsolutePath().normalize();
        return Files.isDirectory(dist) ? dist : null;
    }

    static int freePort() throws IOException {
        return LocalKafkaCluster.freePort();
    }

    /** Stops the broker and the node; the data stays under target/ for a look after a failure. */
    @Override
    public void close() throws Exception {
        run("stop");
    }
}
