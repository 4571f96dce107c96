package io.eventflow.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import io.eventflow.query.AnalyticsApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The analytics API's OpenAPI document ({@code io/eventflow/query/openapi.json} in the analytics-api
 * jar, the document {@code GET /openapi.json} serves) as the judge of every answer the ITs get:
 * the request's method and path must match a documented path template, the answer's status a
 * documented response and its content type a documented media type; the body must validate
 * against that media type's schema (JSON Schema 2020-12 in the OpenAPI 3.1 dialect, with
 * {@code $ref}s into {@code components} resolved, formats asserted) and the response's required
 * headers must be present. Anything else throws an {@link AssertionError} that names the request,
 * the status and what did not match. Thread-safe.
 *
 * <p>Requests that are deliberately not API routes (a fuzzer's made-up paths) go through
 * {@link #sendUndocumented} instead, visibly: their error answers must still be problems.
 */
final class OpenApiContract {
    /** The document, as a class-path resource of the analytics-api jar. */
    static final String RESOURCE = "io/eventflow/query/openapi.json";
    private static final String IRI = "classpath:" + RESOURCE;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SHOWN_BODY = 2_000;
    private static final int SHOWN_ERRORS = 20;
    private static volatile OpenApiContract instance;

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final List<Route> routes = new ArrayList<>();
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    /** A documented path template, as a pattern over raw (still percent-encoded) paths. */
    private record Route(String template, Pattern pattern, int parameters) {
    }

    private OpenApiContract(JsonNode document) {
        this.document = document;
        this.registry = SchemaRegistry.withDialect(Dialects.getOpenApi31(), b -> b.schemaRegistryConfig(
                SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
        document.path("paths").fieldNames().forEachRemaining(template -> {
            StringBuilder regex = new StringBuilder("^");
            int parameters = 0;
            for (String part : template.split("(?=\\{)|(?<=\\})")) {
                if (part.startsWith("{")) {
                    regex.append("[^/]+");
                    parameters++;
                } else {
                    regex.append(Pattern.quote(part));
                }
            }
            routes.add(new Route(template, Pattern.compile(regex.append('$').toString()), parameters));
        });
    }

    /** The contract of the analytics-api jar on the class path. */
    static OpenApiContract get() {
        OpenApiContract c = instance;
        if (c == null) {
            synchronized (OpenApiContract.class) {
                c = instance;
                if (c == null) {
                    instance = c = new OpenApiContract(load());
                }
            }
        }
        return c;
    }

    private static JsonNode load() {
        try (InputStream in = AnalyticsApi.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path (the analytics-api jar)");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code request} to the analytics API and checks the answer against the document. */
    static HttpResponse<String> send(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        get().check(response);
        return response;
    }

    /**
     * Sends a request that is deliberately no documented route (a made-up path, on purpose): only
     * that an error answer is an RFC 9457 problem is checked. A documented route fails here, so
     * exemptions cannot hide one.
     */
    static HttpResponse<String> sendUndocumented(HttpClient client, HttpRequest request)
            throws IOException, InterruptedException {
        OpenApiContract contract = get();
        if (contract.documents(request.method(), request.uri().getRawPath())) {
            throw new AssertionError(request.method() + " " + request.uri().getRawPath()
                    + " is a documented route: send it through OpenApiContract.send");
        }
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 400) {
            contract.checkBody(describe(request.method(), request.uri(), response.statusCode()),
                    "/components/schemas/Problem", mediaType(response.headers()), "application/problem+json",
                    response.body());
        }
        return response;
    }

    /** Whether the document describes {@code method} on {@code rawPath}. */
    boolean documents(String method, String rawPath) {
        Route route = route(rawPath);
        return route != null && document.path("paths").path(route.template()).has(method.toLowerCase(Locale.ROOT));
    }

    /** Checks {@code response} (with its request's method and URI) against the document. */
    void check(HttpResponse<String> response) {
        check(response.request().method(), response.request().uri(), response.statusCode(), response.headers(),
                response.body());
    }

    /**
     * Checks an answer of the analytics API to {@code method} on {@code uri}.
     *
     * @throws AssertionError naming the request, the status and the mismatch
     */
    void check(String method, URI uri, int status, HttpHeaders headers, String body) {
        String request = describe(method, uri, status);
        Route route = route(uri.getRawPath());
        if (route == null) {
            throw new AssertionError(request + ": no path of the OpenAPI document matches " + uri.getRawPath()
                    + " (documented: " + routes.stream().map(Route::template).toList() + ")");
        }
        String operation = "/paths/" + escape(route.template()) + "/" + method.toLowerCase(Locale.ROOT);
        if (document.at(operation).isMissingNode()) {
            throw new AssertionError(request + ": the OpenAPI document has no " + method + " on " + route.template());
        }
        JsonNode responses = document.at(operation + "/responses");
        String at = operation + "/responses/" + status;
        if (responses.path(String.valueOf(status)).isMissingNode()) {
            if (responses.has("default")) {
                at = operation + "/responses/default";
            } else {
                throw new AssertionError(request + ": status " + status + " is not documented for " + method + " "
                        + route.template() + " (documented: " + fieldNames(responses) + "); body: " + shown(body));
            }
        }
        String responseAt = resolve(at);
        JsonNode response = document.at(responseAt);
        response.path("headers").fields().forEachRemaining(h -> {
            String header = resolve(responseAt + "/headers/" + escape(h.getKey()));
            JsonNode spec = document.at(header);
            String value = headers.firstValue(h.getKey()).orElse(null);
            if (value == null && spec.path("required").asBoolean()) {
                throw new AssertionError(request + ": the required header " + h.getKey() + " is missing");
            }
            if (value != null && "integer".equals(spec.path("schema").path("type").asText())
                    && !value.trim().matches("[0-9]+")) {
                throw new AssertionError(request + ": header " + h.getKey() + " is not an integer: " + value);
            }
        });
        String mediaType = mediaType(headers);
        JsonNode content = response.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            if (!body.isEmpty()) {
                throw new AssertionError(request + ": the document says no content, but the body is " + shown(body));
            }
            return;
        }
        if (!content.has(mediaType)) {
            throw new AssertionError(request + ": content type '" + mediaType + "' is not documented (documented: "
                    + fieldNames(content) + "); body: " + shown(body));
        }
        checkBody(request, responseAt + "/content/" + escape(mediaType) + "/schema", mediaType, mediaType, body);
    }

    /** Validates {@code body} against the schema at the JSON pointer {@code schemaAt} of the document. */
    private void checkBody(String request, String schemaAt, String mediaType, String expectedMediaType, String body) {
        if (!mediaType.equals(expectedMediaType)) {
            throw new AssertionError(request + ": content type '" + mediaType + "', expected '" + expectedMediaType
                    + "'; body: " + shown(body));
        }
        String json;
        if (isJson(mediaType)) {
            try {
                JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(request + ": the " + mediaType + " body is not JSON: " + shown(body));
            }
            json = body;
        } else {
            try {
                json = JSON.writeValueAsString(body); // a text body validates as a JSON string
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<Error> errors = schema(schemaAt).validate(json, InputFormat.JSON);
        if (!errors.isEmpty()) {
            throw new AssertionError(request + ": the body does not match #" + schemaAt + ":\n  "
                    + errors.stream().limit(SHOWN_ERRORS).map(e -> e.getInstanceLocation() + ": " + e.getMessage()
                            + " (" + e.getSchemaLocation() + ")").collect(Collectors.joining("\n  "))
                    + (errors.size() > SHOWN_ERRORS ? "\n  ... " + (errors.size() - SHOWN_ERRORS) + " more" : "")
                    + "\nbody: " + shown(body));
        }
    }

    private Schema schema(String pointer) {
        return schemas.computeIfAbsent(pointer, p -> {
            Schema s = registry.getSchema(SchemaLocation.of(IRI + "#" + p));
            s.initializeValidators();
            return s;
        });
    }

    /** The most specific documented template that matches: literal segments win over parameters. */
    private Route route(String rawPath) {
        return routes.stream().filter(r -> r.pattern().matcher(rawPath).matches())
                .min(Comparator.comparingInt(Route::parameters)).orElse(null);
    }

    /** The pointer {@code at} names, following local {@code $ref}s. */
    private String resolve(String at) {
        for (int hops = 0; hops < 10; hops++) {
            String ref = document.at(at).path("$ref").asText("");
            if (ref.isEmpty()) {
                return at;
            }
            if (!ref.startsWith("#/")) {
                throw new AssertionError("only local $refs are supported, got " + ref + " at " + at);
            }
            at = ref.substring(1);
            if (document.at(at).isMissingNode()) {
                throw new AssertionError("$ref " + ref + " does not resolve");
            }
        }
        throw new AssertionError("$ref loop at " + at);
    }

    private static String mediaType(HttpHeaders headers) {
        String type = headers.firstValue("Content-Type").orElse("");
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static boolean isJson(String mediaType) {
        return mediaType.equals("application/json") || mediaType.endsWith("+json");
    }

    /** A JSON pointer token: ~ as ~0, / as ~1. */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String describe(String method, URI uri, int status) {
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return method + " " + (path.length() > 300 ? path.substring(0, 300) + "..." : path) + " -> " + status;
    }

    private static String shown(String body) {
        return body.length() > SHOWN_BODY ? body.substring(0, SHOWN_BODY) + "... (" + body.length() + " chars)" : body;
    }
}
