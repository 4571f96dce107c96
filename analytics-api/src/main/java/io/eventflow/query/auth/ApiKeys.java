package io.eventflow.query.auth;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** API keys and the tenant each one stands for. Immutable, thread-safe. */
public final class ApiKeys {
    private final Map<String, Tenant> tenants;

    private ApiKeys(Map<String, Tenant> tenants) {
        this.tenants = Map.copyOf(tenants);
    }

    /**
     * {@code key:org-1,other:org-2,root:*}; blank or null means no keys.
     *
     * @throws IllegalArgumentException when an entry is malformed or a key is listed twice
     */
    public static ApiKeys parse(String spec) {
        Map<String, Tenant> tenants = new HashMap<>();
        if (spec != null && !spec.isBlank()) {
            for (String pair : spec.split(",")) {
                int colon = pair.indexOf(':');
                String key = colon < 0 ? "" : pair.substring(0, colon).trim();
                String org = colon < 0 ? "" : pair.substring(colon + 1).trim();
                if (key.length() < 8 || org.isEmpty()) {
                    throw new IllegalArgumentException("each entry must be key:organizationId (or key:* for admin) "
                            + "with a key of at least 8 characters");
                }
                if (tenants.put(key, org.equals("*") ? Tenant.ADMIN : Tenant.of(org)) != null) {
                    throw new IllegalArgumentException("an API key is listed twice");
                }
            }
        }
        return new ApiKeys(tenants);
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
        return key == null ? Optional.empty() : Optional.ofNullable(tenants.get(key));
    }
}
