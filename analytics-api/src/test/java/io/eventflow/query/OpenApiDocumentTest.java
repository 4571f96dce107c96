package io.eventflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import io.eventflow.eventstore.EnvelopeRules;
import io.eventflow.query.http.Route;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The OpenAPI document lists exactly the routes the API serves, each with exactly its parameters. */
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
}
