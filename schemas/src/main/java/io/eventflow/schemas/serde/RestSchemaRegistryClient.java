package io.eventflow.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;

/**
 * A small client for the Confluent Schema Registry REST API (v7), which Confluent Schema Registry,
 * Apicurio Registry ({@code /apis/ccompat/v7}) and Karapace all serve.
 *
 * <p>Thread-safe. Successful answers are cached for the life of the client; failures are not, nor
 * is {@link #latestId}. Only a 4xx with a Confluent {@code error_code} (other than 401, 403, 408,
 * 429) is an answer about the request ({@link SchemaRegistryException}, {@link
 * SchemaNotFoundException} for 40403 on a schema id); every other failure, a 2xx that is not JSON
 * included, is a {@link SchemaRegistryUnavailableException} naming the registry URL and the status.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SUBJECT_NOT_FOUND = 40401;
    private static final int VERSION_NOT_FOUND = 40402;

    private final List<URI> baseUrls;
    private final Optional<String> authorization;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {
    }

    /**
     * @param urls one or more base URLs, comma separated, as in {@code schema.registry.url}; the
     *     first that answers is used
     */
    public RestSchemaRegistryClient(String urls, Duration requestTimeout) {
        this(urls, requestTimeout, Optional.empty(), Optional.empty());
    }

    /**
     * @param urls as above; credentials in them ({@code user:password@}) are removed, so they are
     *     never shown (a caller that wants them sent passes them as {@code authorization})
     * @param authorization the {@code Authorization} header sent with every request, if any
     * @param ssl the TLS context for https URLs; empty for the JVM's default
     */
    public RestSchemaRegistryClient(String urls, Duration requestTimeout, Optional<String> authorization,
            Optional<SSLContext> ssl) {
        Objects.requireNonNull(urls, "urls");
        this.baseUrls = java.util.Arrays.stream(urls.split(","))
                .map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> withoutUserInfo(URI.create(s.endsWith("/") ? s : s + "/")))
                .toList();
        if (baseUrls.isEmpty()) {
            throw new IllegalArgumentException("schema.registry.url must name at least one URL");
        }
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.authorization = Objects.requireNonNull(authorization, "authorization");
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(requestTimeout);
        Objects.requireNonNull(ssl, "ssl").ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    private static URI withoutUserInfo(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri;
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), null);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("schema.registry.url: " + e.getMessage(), e);
        }
    }

    /**
     * The start-up check of the client's access: {@code GET subjects}. Refused credentials (401,
     * 403) or a TLS failure are misconfigurations no retry mends, so they throw; an unreachable
     * registry is left to the callers' retries.
     *
     * @throws IllegalStateException naming the keys to check
     */
    @Override
    public void checkAccess() {
        try {
            send("GET", "subjects", null);
        } catch (SchemaRegistryUnavailableException e) {
            if (e.refusedCredentials() || e.getCause() instanceof javax.net.ssl.SSLException) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    @Override
    public int register(String subject, Schema schema) {
        try {
            return idOf(subject, schema, "/versions");
        } catch (SchemaRegistryException e) {
            if (e.status() == 409) {
                // The registry's own text varies (Apicurio, Confluent); say what it means and where.
                throw new SchemaRegistryException("schema " + schema.getFullName() + " is incompatible with the"
                        + " schemas registered under subject " + subject + " (the subject's compatibility level"
                        + " refuses it; a change of contract must be compatible, see docs/adr/0010): "
                        + e.getMessage(), e.status(), e.errorCode());
            }
            throw e;
        }
    }

    /** {@code PUT /config/{subject}} with {@code {"compatibility": level}}. */
    @Override
    public void setCompatibility(String subject, Compatibility level) {
        Objects.requireNonNull(level, "level");
        JsonNode answer;
        try {
            answer = send("PUT", "config/" + encode(subject),
                    JSON.writeValueAsString(Map.of("compatibility", level.name())));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String set = answer.path("compatibility").asText(answer.path("compatibilityLevel").asText(""));
        if (!set.equals(level.name())) {
            throw new SchemaRegistryUnavailableException("schema registry " + describe() + " answered PUT config/"
                    + subject + " without the level " + level + ": " + answer);
        }
    }

    @Override
    public int lookup(String subject, Schema schema) {
        return idOf(subject, schema, "");
    }

    /** POSTs the schema to the subject's path (+ suffix: register or look up) unless its id is cached. */
    private int idOf(String subject, Schema schema, String suffix) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "subjects/" + encode(subject) + suffix, body(schema));
        int id = answer.path("id").asInt(-1);
        if (id < 0) {
            throw new SchemaRegistryUnavailableException("schema registry " + describe()
                    + " answered without an id for subject " + subject);
        }
        idsBySubjectSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Schema byId(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer;
        try {
            answer = send("GET", "schemas/ids/" + id, null);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaNotFoundException.ERROR_CODE) {
                throw new SchemaNotFoundException("schema id " + id + " not found in schema registry "
                        + describe() + " (404, error code 40403)", id);
            }
            // A by-id read of a well-formed id has no other per-record answer: the registry misbehaves.
            throw new SchemaRegistryUnavailableException(e.getMessage(), e);
        }
        String text = answer.path("schema").asText(null);
        if (text == null) {
            throw new SchemaRegistryUnavailableException("schema registry " + describe()
                    + " answered 200 without a schema for id " + id + ": is it a Confluent-compatible API?");
        }
        String type = answer.path("schemaType").asText("AVRO");
        if (!type.equalsIgnoreCase("AVRO")) {
            throw new SchemaRegistryException("schema id " + id + " is a " + type + " schema, not Avro", 200);
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw new SchemaRegistryUnavailableException("schema registry " + describe() + " answered for id " + id
                    + " a schema that is not valid Avro: " + e.getMessage(), e);
        }
        Schema previous = schemasById.putIfAbsent(id, schema);
        return previous != null ? previous : schema;
    }

    @Override
    public OptionalInt find(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return OptionalInt.of(cached);
        }
        try {
            return OptionalInt.of(idOf(subject, schema, ""));
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SUBJECT_NOT_FOUND || e.errorCode() == SchemaNotFoundException.ERROR_CODE) {
                return OptionalInt.empty();
            }
            throw new SchemaRegistryUnavailableException(e.getMessage(), e);
        }
    }

    @Override
    public OptionalInt latestId(String subject) {
        JsonNode answer;
        try {
            answer = send("GET", "subjects/" + encode(subject) + "/versions/latest", null);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SUBJECT_NOT_FOUND || e.errorCode() == VERSION_NOT_FOUND) {
                return OptionalInt.empty();
            }
            throw new SchemaRegistryUnavailableException(e.getMessage(), e);
        }
        int id = answer.path("id").asInt(-1);
        if (!answer.path("id").canConvertToInt() || id < 0) {
            throw new SchemaRegistryUnavailableException("schema registry " + describe()
                    + " answered without an id for the latest version of subject " + subject);
        }
        return OptionalInt.of(id);
    }

    /**
     * The highest id over every subject's latest version: the Confluent API has no call for it
     * that every registry serves ({@code GET /schemas} is missing from Apicurio's), so it is one
     * request per subject. Only asked on a "schema not found", and remembered for
     * {@link #HIGHEST_ID_TTL}.
     */
    @Override
    public OptionalInt highestId() {
        HighestId known = highestId;
        if (known != null && System.nanoTime() - known.atNanos() < HIGHEST_ID_TTL.toNanos()) {
            return known.id();
        }
        JsonNode subjects = send("GET", "subjects", null);
        if (!subjects.isArray()) {
            throw new SchemaRegistryUnavailableException("schema registry " + describe()
                    + " answered GET subjects with something other than a list");
        }
        OptionalInt max = OptionalInt.empty();
        for (JsonNode subject : subjects) {
            OptionalInt latest = latestId(subject.asText());
            if (latest.isPresent() && (max.isEmpty() || latest.getAsInt() > max.getAsInt())) {
                max = latest;
            }
        }
        highestId = new HighestId(max, System.nanoTime());
        return max;
    }

    /** How long {@link #highestId} is remembered. */
    static final Duration HIGHEST_ID_TTL = Duration.ofSeconds(30);

    private record HighestId(OptionalInt id, long atNanos) {
    }

    private volatile HighestId highestId;

    @Override
    public String describe() {
        return baseUrls.size() == 1 ? baseUrls.get(0).toString() : baseUrls.toString();
    }

    private static String body(Schema schema) {
        try {
            return JSON.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * One request, to each base URL in turn while they fail for infrastructure reasons. Answers
     * the parsed JSON of a 2xx; throws {@link SchemaRegistryException} (with the error code) for a
     * 4xx that carries a Confluent {@code error_code}, the only answers about the request itself;
     * everything else is {@link SchemaRegistryUnavailableException}, naming the URL and the status.
     */
    private JsonNode send(String method, String path, String body) {
        SchemaRegistryUnavailableException lastTransient = null;
        for (URI base : baseUrls) {
            URI uri = base.resolve(path);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(requestTimeout)
                    .header("Accept", CONTENT_TYPE + ", application/json");
            authorization.ifPresent(value -> request.header("Authorization", value));
            if (body != null) {
                request.header("Content-Type", CONTENT_TYPE)
                        .method(method, HttpRequest.BodyPublishers.ofString(body));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (javax.net.ssl.SSLException e) {
                lastTransient = new SchemaRegistryUnavailableException("TLS with schema registry " + base + " failed: "
                        + e.getMessage() + " (check schema.registry.ssl.truststore.*)", e);
                continue;
            } catch (IOException e) {
                lastTransient = new SchemaRegistryUnavailableException(
                        "schema registry " + base + " unreachable: " + e, e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException("interrupted calling schema registry " + base, e);
            }
            int status = response.statusCode();
            String detail = "schema registry " + base + ": " + method + " " + uri + " answered " + status + ": "
                    + abbreviate(response.body());
            JsonNode json = parse(response.body());
            if (status >= 200 && status < 300) {
                if (json == null || !json.isContainerNode()) {
                    lastTransient = new SchemaRegistryUnavailableException(detail
                            + " (not JSON: is the URL a Confluent-compatible API, e.g. .../apis/ccompat/v7?)");
                    continue;
                }
                return json;
            }
            JsonNode code = json == null ? null : json.get("error_code");
            boolean clientError = status >= 400 && status < 500 && status != 401 && status != 403 && status != 408
                    && status != 429;
            if (clientError && code != null && code.canConvertToInt()) {
                throw new SchemaRegistryException(detail, status, code.asInt());
            }
            if (clientError) {
                detail += " (no Confluent error code: is the URL missing its API path, e.g. /apis/ccompat/v7?)";
            }
            if (status == 401 || status == 403) {
                lastTransient = SchemaRegistryUnavailableException.refused(detail + (authorization.isEmpty()
                        ? " (it needs credentials: basic.auth.credentials.source=USER_INFO with basic.auth.user.info, "
                        + "or bearer.auth.credentials.source=STATIC_TOKEN with bearer.auth.token)"
                        : status == 401 ? " (the credentials were refused: check basic.auth.user.info or bearer.auth.token)"
                        : " (the credentials lack the permission for this request)"));
                continue;
            }
            lastTransient = new SchemaRegistryUnavailableException(detail);
        }
        throw lastTransient;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
