package io.eventflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DeadLetterHeadersTest {

    @Test
    void everyValueIsCappedOnACharacterBoundary() {
        String reason = "€😀".repeat(5_000); // 3- and 4-byte characters (the emoji a surrogate pair)
        var headers = DeadLetterHeaders.add(new RecordHeaders(), new IllegalArgumentException(reason), "t".repeat(249), 3, 42L);

        int total = 0;
        for (Header h : headers) {
            assertThat(h.value().length).as(h.key()).isLessThanOrEqualTo(DeadLetterHeaders.MAX_VALUE_BYTES);
            total += h.key().length() + h.value().length;
        }
        assertThat(total).isLessThanOrEqualTo(DeadLetterHeaders.MAX_ADDED_BYTES);
        byte[] capped = headers.lastHeader(DeadLetterHeaders.REASON).value();
        String back = new String(capped, StandardCharsets.UTF_8);
        assertThat(back).endsWith("...").doesNotContain("\uFFFD");
        assertThat(reason).startsWith(back.substring(0, back.length() - 3));
        assertThat(capped.length).isGreaterThan(DeadLetterHeaders.MAX_VALUE_BYTES - 10);
    }

    @Test
    void shortValuesAreKeptAsTheyAre() {
        var headers = DeadLetterHeaders.add(new RecordHeaders(), new IllegalStateException("bad"), "events", 0, 7L);
        assertThat(new String(headers.lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8)).isEqualTo("bad");
        assertThat(new String(headers.lastHeader(DeadLetterHeaders.SOURCE_OFFSET).value(), StandardCharsets.UTF_8)).isEqualTo("7");
    }
}
