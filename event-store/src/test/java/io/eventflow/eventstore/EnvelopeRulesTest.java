package io.eventflow.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeRulesTest {

    @Test
    void idsAreOneTo256PathSafeAsciiCharacters() {
        assertThat(EnvelopeRules.isValidId("pay-7f3c_01:eu@org.acme~x")).isTrue();
        assertThat(EnvelopeRules.isValidId("a".repeat(256))).isTrue();
        assertThat(EnvelopeRules.idViolation("aggregateId", "a".repeat(257))).hasValueSatisfying(
                m -> assertThat(m).contains("aggregateId", "257 bytes", "256"));
        assertThat(EnvelopeRules.idViolation("aggregateId", "")).contains("aggregateId is empty");
        assertThat(EnvelopeRules.idViolation("commandId", null)).contains("commandId is missing");
        for (String bad : new String[] {"a/b", "a b", "a%2F", "a?b", "a#b", "é", "a\u0000b", "a\\b", "tab\t"}) {
            assertThat(EnvelopeRules.isValidId(bad)).as(bad).isFalse();
        }
        assertThat(EnvelopeRules.optionalIdViolation("causationId", null)).isEmpty();
    }

    @Test
    void metadataKeysValuesAndCountsAreBounded() {
        assertThat(EnvelopeRules.metadataViolation("org-1", "user-1", Map.of("channel", "web", "ip_v4", "1.2.3.4")))
                .isEmpty();
        assertThat(EnvelopeRules.metadataViolation(null, null, null)).isEmpty();
        assertThat(EnvelopeRules.metadataViolation("org 1", null, Map.of())).hasValueSatisfying(
                m -> assertThat(m).contains("metadata.organizationId"));
        assertThat(EnvelopeRules.metadataViolation("o", null, Map.of("", "x"))).contains("metadata.extra has an empty key");
        assertThat(EnvelopeRules.metadataViolation("o", null, Map.of("a.b", "x"))).isPresent();
        assertThat(EnvelopeRules.metadataViolation("o", null, Map.of("k", "x".repeat(1025)))).isPresent();
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i <= EnvelopeRules.MAX_EXTRA_ENTRIES; i++) {
            many.put("k" + i, "v");
        }
        assertThat(EnvelopeRules.metadataViolation("o", null, many)).hasValueSatisfying(
                m -> assertThat(m).contains("65 entries"));
    }

    @Test
    void eventIdsDependOnTypeAggregateAndVersionOnly() {
        String id = EventIds.of("Payment", "pay-1", 3);
        assertThat(EventIds.of("Payment", "pay-1", 3)).isEqualTo(id);
        assertThat(EventIds.of("Payment", "pay-1", 4)).isNotEqualTo(id);
        assertThat(EventIds.of("Payment", "pay-2", 3)).isNotEqualTo(id);
        assertThat(EventIds.of("Workflow", "pay-1", 3)).isNotEqualTo(id);
        assertThat(EventIds.of("Payment", "pay-13", 1)).isNotEqualTo(EventIds.of("Payment", "pay-1", 31));
    }
}
