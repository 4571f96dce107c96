package io.eventflow.query.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void keysInClearAndAsDigestsBothAuthenticate() throws Exception {
        ApiKeys keys = ApiKeys.parse("clear-key-1:org-a, sha256:" + sha256("hashed-key-2") + ":org-b,sha256:"
                + sha256("root-key-3").toUpperCase() + ":*");
        assertThat(keys.tenant("clear-key-1")).contains(Tenant.of("org-a"));
        assertThat(keys.tenant("hashed-key-2")).contains(Tenant.of("org-b"));
        assertThat(keys.tenant("root-key-3")).contains(Tenant.ADMIN);
    }

    @Test
    void aDigestIsNotAKey() throws Exception {
        String digest = sha256("hashed-key-2");
        ApiKeys keys = ApiKeys.parse("sha256:" + digest + ":org-b");
        assertThat(keys.tenant(digest)).isEmpty();
        assertThat(keys.tenant("sha256:" + digest)).isEmpty();
        assertThat(keys.tenant("hashed-key-")).isEmpty();
        assertThat(keys.tenant(null)).isEmpty();
    }

    @Test
    void malformedEntriesAndDuplicatesAreRefusedWithoutEchoingAKey() throws Exception {
        for (String bad : new String[] {"short:org", "no-colon-key", "sha256:abc:org", "sha256:" + sha256("x"),
                "sha256:" + "g".repeat(64) + ":org"}) {
            assertThatThrownBy(() -> ApiKeys.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .message().doesNotContain("no-colon-key");
        }
        assertThatThrownBy(() -> ApiKeys.parse("same-key-1:org-a,sha256:" + sha256("same-key-1") + ":org-b"))
                .hasMessageContaining("twice");
    }
}
