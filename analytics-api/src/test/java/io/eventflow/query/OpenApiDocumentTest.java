package io.eventflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The OpenAPI document lists exactly the routes the API serves, each with exactly its parameters. */
class OpenApiDocumentTest {
    @Test
    void documentMatchesTheRoutes() throws Exception {
        JsonNode doc;
        try (InputStream in = AnalyticsApi.class.getResourceAsStream("openapi.json")) {
            doc = new ObjectMapper().readTree(in);
        }
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
        Map<String, Set<String>> served = AnalyticsApi.ROUTES.stream()
                .collect(Collectors.toMap(AnalyticsApi.Route::path, AnalyticsApi.Route::parameters, (a, b) -> a, TreeMap::new));

        assertThat(documented).isEqualTo(served);
    }
}
