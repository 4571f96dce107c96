package io.eventflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import io.eventflow.eventstore.EnvelopeRules;
import io.eventflow.query.http.Route;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document lists exactly the routes the API serves, each with exactly its parameters,
 * and is a contract a client can generate code from: every operation has an operationId, a 2xx
 * response with a schema and its error responses, and no schema is a bare object.
 */
class OpenApiDocumentTest {
    private static JsonNode document() throws Exception {
        try (InputStream in = AnalyticsApi.class.getResourceAsStream("openapi.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void documentMatchesTheRoutes() throws Exception {
        JsonNode doc = document();
        Map<String, Set<String>> documented = new TreeMap<>();
        doc.path("paths").fields().forEachRemaining(e -> {
            assertThat(e.getValue().has("get")).as("GET %s", e.getKey()).isTrue();
            assertThat(e.getValue().size()).as("only GET on %s", e.getKey()).isEqualTo(1);
            Set<String> params = new HashSet<>();
            e.getValue().path("get").path("parameters").forEach(p -> {
                if ("query".equals(p.path("in").asText())) {
                    params.add(p.path("name").asText());
                }
            });
            documented.put(e.getKey(), params);
        });
        Map<String, Set<String>> served;
        // Elasticsearch is never asked: the routes are registered when the API starts.
        try (AnalyticsApi api = AnalyticsApi.start(new AnalyticsApiConfig(Map.of(AnalyticsApiConfig.HTTP_HOST,
                "127.0.0.1", AnalyticsApiConfig.HTTP_PORT, "0", AnalyticsApiConfig.ELASTICSEARCH_URL,
                "http://127.0.0.1:1")))) {
            served = api.routes().stream()
                    .collect(Collectors.toMap(Route::path, Route::parameters, (a, b) -> a, TreeMap::new));
        }

        assertThat(documented).isEqualTo(served);
    }

    /** Each id parameter documents the rule the API enforces: EnvelopeRules' length and characters. */
    @Test
    void idParametersDocumentTheEnvelopeRules() throws Exception {
        Set<String> documented = new TreeSet<>();
        document().path("paths").forEach(path -> path.path("get").path("parameters").forEach(p -> {
            String name = p.path("name").asText();
            if (!AnalyticsApi.ID_PARAMETERS.contains(name)) {
                return;
            }
            documented.add(name);
            JsonNode schema = p.path("schema");
            assertThat(schema.path("minLength").asInt()).as(name).isEqualTo(1);
            assertThat(schema.path("maxLength").asInt()).as(name).isEqualTo(EnvelopeRules.MAX_ID_BYTES);
            Pattern pattern = Pattern.compile(schema.path("pattern").asText());
            for (char c = 0; c < 0x250; c++) {
                String id = "a" + c + "b";
                assertThat(pattern.matcher(id).find()).as("%s pattern on U+%04X", name, (int) c)
                        .isEqualTo(EnvelopeRules.isValidId(id));
            }
            assertThat(pattern.matcher("").find()).as(name).isFalse();
        }));
        assertThat(documented).isEqualTo(new TreeSet<>(AnalyticsApi.ID_PARAMETERS));
    }

    /** Every operation: a unique operationId, a tag, and a 2xx response whose content has a schema. */
    @Test
    void everyOperationHasAnOperationIdAndA2xxResponseWithASchema() throws Exception {
        JsonNode doc = document();
        Set<String> ids = new HashSet<>();
        doc.path("paths").fields().forEachRemaining(e -> {
            JsonNode op = e.getValue().path("get");
            String id = op.path("operationId").asText();
            assertThat(id).as("operationId of GET %s", e.getKey()).matches("[a-z][A-Za-z0-9]+");
            assertThat(ids.add(id)).as("operationId %s is unique", id).isTrue();
            assertThat(op.path("tags")).as("tags of GET %s", e.getKey()).isNotEmpty();
            List<String> withSchema = new ArrayList<>();
            op.path("responses").fields().forEachRemaining(r -> {
                assertThat(r.getKey()).as("GET %s responses", e.getKey()).matches("[1-5][0-9]{2}");
                JsonNode response = resolve(doc, r.getValue());
                assertThat(response.path("description").asText()).as("GET %s %s", e.getKey(), r.getKey()).isNotBlank();
                response.path("content").forEach(media -> assertThat(media.has("schema"))
                        .as("GET %s %s has a schema", e.getKey(), r.getKey()).isTrue());
                if (r.getKey().startsWith("2") && response.path("content").size() > 0) {
                    withSchema.add(r.getKey());
                }
            });
            assertThat(withSchema).as("2xx responses with a schema of GET %s", e.getKey()).isNotEmpty();
        });
        assertThat(doc.path("servers")).as("servers").isNotEmpty();
    }

    /**
     * The errors each route can answer: 400 (a bad or unknown parameter, a request Jetty cannot
     * read) and 500 everywhere; 401 and 503 (with Retry-After) on every route that needs a key;
     * 404 on every route with a path id. All are RFC 9457 problems.
     */
    @Test
    void everyOperationDocumentsItsErrorResponsesAsProblems() throws Exception {
        JsonNode doc = document();
        doc.path("paths").fields().forEachRemaining(e -> {
            JsonNode op = e.getValue().path("get");
            JsonNode responses = op.path("responses");
            boolean needsKey = !op.has("security") || !op.path("security").isEmpty();
            List<String> errors = new ArrayList<>(List.of("400", "500"));
            if (needsKey) {
                errors.addAll(List.of("401", "503"));
            }
            if (e.getKey().contains("{")) {
                errors.add("404");
            }
            for (String status : errors) {
                assertThat(responses.has(status)).as("GET %s documents %s", e.getKey(), status).isTrue();
                JsonNode response = resolve(doc, responses.path(status));
                assertThat(response.path("content").path("application/problem+json").path("schema").path("$ref")
                        .asText()).as("GET %s %s", e.getKey(), status).isEqualTo("#/components/schemas/Problem");
            }
            if (needsKey) {
                assertThat(resolve(doc, resolve(doc, responses.path("503")).path("headers").path("Retry-After"))
                        .path("required").asBoolean()).as("GET %s 503 Retry-After", e.getKey()).isTrue();
            }
        });
    }

    /** An object schema says what it holds: properties, additionalProperties or a $ref, never a bare object. */
    @Test
    void noSchemaIsABareObject() throws Exception {
        List<String> bare = new ArrayList<>();
        walk(document(), "#", bare);
        assertThat(bare).as("object schemas without properties, additionalProperties or $ref").isEmpty();
    }

    private static void walk(JsonNode node, String at, List<String> bare) {
        if (node.isObject()) {
            JsonNode type = node.path("type");
            boolean object = "object".equals(type.asText()) || (type.isArray() && type.toString().contains("\"object\""));
            if (object && !node.has("properties") && !node.has("additionalProperties") && !node.has("$ref")) {
                bare.add(at);
            }
            node.fields().forEachRemaining(f -> walk(f.getValue(), at + "/" + f.getKey(), bare));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), at + "/" + i, bare);
            }
        }
    }

    /** {@code node}, or what its local {@code $ref} points at. */
    private static JsonNode resolve(JsonNode doc, JsonNode node) {
        String ref = node.path("$ref").asText("");
        if (ref.isEmpty()) {
            return node;
        }
        assertThat(ref).startsWith("#/");
        JsonNode target = doc.at(ref.substring(1));
        assertThat(target.isMissingNode()).as("%s resolves", ref).isFalse();
        return target;
    }
}
