package io.eventflow.query.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * API keys and the tenant each one stands for. Only the keys' SHA-256 digests are held, whether a
 * key was configured in clear or as its digest, and a request's key is compared with every one of
 * them in constant time, so neither memory nor response time gives a key away. Immutable,
 * thread-safe.
 */
public final class ApiKeys {
    private static final String DIGEST_PREFIX = "sha256:";
    private static final Pattern HEX_DIGEST = Pattern.compile("[0-9a-fA-F]{64}");

    private record Entry(byte[] digest, Tenant tenant) {
    }

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * {@code key:org-1,other:org-2,root:*}, where a key may also be written as its digest,
     * {@code sha256:<64 hex digits>:org-3}; blank or null means no keys.
     *
     * @throws IllegalArgumentException when an entry is malformed or a key is listed twice (the
     *     message never contains a key)
     */
    public static ApiKeys parse(String spec) {
        List<Entry> entries = new ArrayList<>();
        if (spec != null && !spec.isBlank()) {
            for (String pair : spec.split(",")) {
                String entry = pair.trim();
                byte[] digest;
                String org;
                if (entry.startsWith(DIGEST_PREFIX)) {
                    String rest = entry.substring(DIGEST_PREFIX.length());
                    int colon = rest.indexOf(':');
                    String hex = colon < 0 ? rest : rest.substring(0, colon);
                    org = colon < 0 ? "" : rest.substring(colon + 1).trim();
                    if (!HEX_DIGEST.matcher(hex).matches() || org.isEmpty()) {
                        throw new IllegalArgumentException("a digest entry must be sha256:<64 hex digits>:organizationId "
                                + "(or :* for admin)");
                    }
                    digest = HexFormat.of().parseHex(hex);
                } else {
                    int colon = entry.indexOf(':');
                    String key = colon < 0 ? "" : entry.substring(0, colon).trim();
                    org = colon < 0 ? "" : entry.substring(colon + 1).trim();
                    if (key.length() < 8 || org.isEmpty()) {
                        throw new IllegalArgumentException("each entry must be key:organizationId (or key:* for admin) "
                                + "with a key of at least 8 characters, or sha256:<64 hex digits>:organizationId");
                    }
                    digest = sha256(key);
                }
                for (Entry e : entries) {
                    if (MessageDigest.isEqual(e.digest(), digest)) {
                        throw new IllegalArgumentException("an API key is listed twice");
                    }
                }
                entries.add(new Entry(digest, org.equals("*") ? Tenant.ADMIN : Tenant.of(org)));
            }
        }
        return new ApiKeys(entries);
    }

    /**
     * The key a request sends: {@code X-API-Key}, else an {@code Authorization: Bearer} token.
     *
     * @param xApiKey the X-API-Key header, may be null
     * @param authorization the Authorization header, may be null
     * @return null when the request sends none
     */
    public static String keyOf(String xApiKey, String authorization) {
        if (xApiKey == null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return xApiKey;
    }

    /** The tenant of {@code key} (may be null); empty when the key is absent or unknown. */
    public Optional<Tenant> tenant(String key) {
        if (key == null) {
            return Optional.empty();
        }
        byte[] digest = sha256(key);
        Tenant found = null;
        // No early exit: every configured key is compared, each in constant time.
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest(), digest)) {
                found = e.tenant();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
