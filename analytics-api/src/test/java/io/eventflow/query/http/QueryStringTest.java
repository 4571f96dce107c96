package io.eventflow.query.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryStringTest {
    @Test
    void decodesEscapesPlusAndRepeats() {
        Map<String, List<String>> p = QueryParameters.parse("q=100%25+off&q=x&from=2026-01-01&empty=&flag");
        assertThat(p).containsEntry("q", List.of("100% off", "x")).containsEntry("from", List.of("2026-01-01"))
                .containsEntry("empty", List.of("")).containsEntry("flag", List.of(""));
        assertThat(QueryParameters.parse(null)).isEmpty();
        assertThat(QueryParameters.parse("&&")).isEmpty();
    }

    @Test
    void aMalformedEscapeIsA400NamingItsParameter() {
        for (String q : List.of("q=%", "q=abc%", "q=%zz", "q=%2", "q=a%G1")) {
            assertThatThrownBy(() -> QueryParameters.parse(q)).as(q).isInstanceOf(BadParameterException.class)
                    .extracting("parameter").isEqualTo("q");
        }
        assertThatThrownBy(() -> QueryParameters.parse("%=1")).isInstanceOf(BadParameterException.class)
                .extracting("parameter").isEqualTo("query");
    }

    @Test
    void instantsOutsideYears0000To9999AreA400() {
        assertThat(QueryParameters.checkYear("from", Instant.parse("0000-01-01T00:00:00Z"))).isNotNull();
        assertThat(QueryParameters.checkYear("from", Instant.parse("9999-12-31T23:59:59.999Z"))).isNotNull();
        for (String bad : List.of("+10000-01-01T00:00:00Z", "-0001-12-31T23:59:59Z")) {
            assertThatThrownBy(() -> QueryParameters.checkYear("to", Instant.parse(bad))).as(bad)
                    .isInstanceOf(BadParameterException.class).extracting("parameter").isEqualTo("to");
        }
    }
}
