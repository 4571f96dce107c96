package io.eventflow.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IndexSettingsTest {
    private static final EventStoreIndices INDICES = new EventStoreIndices("t-", Map.of("payments",
            "{\"properties\": {\"paymentId\": {\"type\": \"keyword\"}}}"));

    @Test
    void theTemplatesCarryTheirModelsSettings() throws Exception {
        JsonNode events = ElasticsearchClients.objectMapper().readTree(
                INDICES.templateJson("events", new IndexSettings(3, 0, "5s")));
        assertThat(events.path("index_patterns").get(0).asText()).isEqualTo("t-events-*");
        JsonNode settings = events.path("template").path("settings");
        assertThat(settings.path("number_of_shards").asInt()).isEqualTo(3);
        assertThat(settings.path("number_of_replicas").asInt()).isEqualTo(0);
        assertThat(settings.path("refresh_interval").asText()).isEqualTo("5s");

        JsonNode payments = ElasticsearchClients.objectMapper().readTree(
                INDICES.templateJson("payments", IndexSettings.defaults(1)));
        settings = payments.path("template").path("settings");
        assertThat(settings.path("number_of_shards").asInt()).isEqualTo(1);
        assertThat(settings.path("number_of_replicas").asInt()).isEqualTo(1);
        // unset: Elasticsearch's search-idle default (ADR 0012)
        assertThat(settings.has("refresh_interval")).isFalse();
    }

    @Test
    void theEventStoreRequiresRoutingAndReadModelsAreRoutedByTheirId() throws Exception {
        JsonNode events = ElasticsearchClients.objectMapper().readTree(
                INDICES.templateJson("events", IndexSettings.defaults(0)));
        assertThat(events.path("template").path("mappings").path("_routing").path("required").asBoolean()).isTrue();
        JsonNode payments = ElasticsearchClients.objectMapper().readTree(
                INDICES.templateJson("payments", IndexSettings.defaults(0)));
        // _id is the aggregate id there, and Elasticsearch routes by _id: no routing to pass
        assertThat(payments.path("template").path("mappings").has("_routing")).isFalse();
        assertThatThrownBy(() -> INDICES.templateJson("orders", IndexSettings.defaults(0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new IndexSettings(0, 0, null)).hasMessageContaining("shards");
        assertThatThrownBy(() -> new IndexSettings(1025, 0, null)).hasMessageContaining("shards");
        assertThatThrownBy(() -> new IndexSettings(1, -1, null)).hasMessageContaining("replicas");
        assertThatThrownBy(() -> new IndexSettings(1, 0, "1 s")).hasMessageContaining("refreshInterval");
        for (String ok : List.of("-1", "0", "1s", "500ms", "2m", "1h")) {
            assertThat(IndexSettings.isTimeValue(ok)).as(ok).isTrue();
        }
        for (String bad : List.of("", "s", "1", "1.5s", "-2", "1S", "fast")) {
            assertThat(IndexSettings.isTimeValue(bad)).as(bad).isFalse();
        }
    }

    @Test
    void eventsAreRoutedByAggregateIdAndSearchesNameTheirShardsWhenTheyCan() {
        assertThat(EventRouting.of("pay-1")).isEqualTo("pay-1");
        assertThat(EventRouting.forSearch(List.of("pay-1", "pay-2"))).contains("pay-1,pay-2");
        assertThat(EventRouting.forSearch(List.of())).isEmpty();
        // a search splits its routing at commas: such an id cannot be named, so every shard is asked
        assertThat(EventRouting.forSearch(List.of("pay-1", "a,b"))).isEmpty();
        // too long for a URL
        assertThat(EventRouting.forSearch(Collections.nCopies(200, "0123456789abcdef0123456789abcdef"))).isEmpty();
        assertThat(EventRouting.forSearch(Collections.nCopies(20, "0123456789abcdef0123456789abcdef")))
                .map(r -> r.split(",").length).isEqualTo(Optional.of(20));
    }
}
