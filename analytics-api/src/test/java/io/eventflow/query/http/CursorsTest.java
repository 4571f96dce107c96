package io.eventflow.query.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventflow.query.auth.Tenant;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CursorsTest {
    private static final byte[] OLD = "old-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NEW = "new-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Tenant ORG_A = Tenant.of("org-a");

    private static Cursors cursors(Instant now, byte[]... secrets) {
        return new Cursors(List.of(secrets), Duration.ofMinutes(15), Clock.fixed(now, ZoneOffset.UTC));
    }

    private static String issue(Cursors c) {
        Map<String, Object> filters = new LinkedHashMap<>();
        filters.put("organizationId", null);
        filters.put("q", "card");
        return c.encode("/events", ORG_A, filters, new Cursor("pit-1", List.of(1700000000000L, "e-9")));
    }

    @Test
    void aCursorReadsBackOnItsRouteForItsTenant() {
        Cursors c = cursors(NOW, NEW);
        Cursors.Decoded d = c.decode("/events", ORG_A, issue(c));
        assertThat(d.string("q")).isEqualTo("card");
        assertThat(d.string("organizationId")).isNull();
        assertThat(d.cursor()).isEqualTo(new Cursor("pit-1", List.of(1700000000000L, "e-9")));
    }

    @Test
    void anAlteredCursorIsRefused() {
        Cursors c = cursors(NOW, NEW);
        String cursor = issue(c);
        String payload = cursor.substring(0, cursor.indexOf('.'));
        String json = new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8);
        String otherPit = Base64.getUrlEncoder().withoutPadding().encodeToString(
                json.replace("pit-1", "pit-2").getBytes(StandardCharsets.UTF_8));
        for (String bad : List.of(otherPit + cursor.substring(cursor.indexOf('.')), cursor + "A", payload,
                payload + ".", "." + payload, cursor.replace('.', ','))) {
            assertThatThrownBy(() -> c.decode("/events", ORG_A, bad)).as(bad)
                    .isInstanceOf(BadParameterException.class).extracting("parameter").isEqualTo("cursor");
        }
    }

    @Test
    void aCursorIsBoundToItsTenantAndRoute() {
        Cursors c = cursors(NOW, NEW);
        String cursor = issue(c);
        assertThatThrownBy(() -> c.decode("/events", Tenant.of("org-b"), cursor)).isInstanceOf(BadParameterException.class);
        assertThatThrownBy(() -> c.decode("/events", Tenant.ADMIN, cursor)).isInstanceOf(BadParameterException.class);
        assertThatThrownBy(() -> c.decode("/payments", ORG_A, cursor)).isInstanceOf(BadParameterException.class);
    }

    @Test
    void aCursorExpires() {
        String cursor = issue(cursors(NOW, NEW));
        assertThat(cursors(NOW.plus(Duration.ofMinutes(15)), NEW).decode("/events", ORG_A, cursor)).isNotNull();
        assertThatThrownBy(() -> cursors(NOW.plus(Duration.ofMinutes(15)).plusSeconds(1), NEW).decode("/events", ORG_A,
                cursor)).isInstanceOf(BadParameterException.class).hasMessageContaining("expired");
    }

    @Test
    void theNewSecretSignsAndTheOldOneStillVerifiesDuringARotation() {
        String signedBefore = issue(cursors(NOW, OLD));
        Cursors rotating = cursors(NOW, NEW, OLD);
        assertThat(rotating.decode("/events", ORG_A, signedBefore)).isNotNull();
        String signedDuring = issue(rotating);
        assertThat(cursors(NOW, NEW).decode("/events", ORG_A, signedDuring)).isNotNull();
        assertThatThrownBy(() -> cursors(NOW, OLD).decode("/events", ORG_A, signedDuring))
                .isInstanceOf(BadParameterException.class);
        // Once the old secret is dropped, its cursors are refused.
        assertThatThrownBy(() -> cursors(NOW, NEW).decode("/events", ORG_A, signedBefore))
                .isInstanceOf(BadParameterException.class);
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> cursors(NOW, "short".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cursors(NOW)).isInstanceOf(IllegalArgumentException.class);
    }
}
