package io.eventflow.query;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** API keys and the tenant each one stands for. Immutable, thread-safe. */
final class ApiKeys {
    private final Map<String, Tenant> tenants;

    private ApiKeys(Map<String, Tenant> tenants) {
        this.tenants = Map.copyOf(tenants);
    }

    /** {@code key:org-1,other:org-2,root:*}; blank means no keys. */
    static ApiKeys parse(String spec) {
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

    Optional<Tenant> tenant(String key) {
        return key == null ? Optional.empty() : Optional.ofNullable(tenants.get(key));
    }
}
