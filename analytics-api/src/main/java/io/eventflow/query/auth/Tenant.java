package io.eventflow.query.auth;

/**
 * Who asks: one organization, or an admin who sees all of them. Queries put
 * {@link #organizationId()} into the Elasticsearch query itself; results are never filtered
 * afterwards. {@code organizationId} is null for an admin only.
 */
public record Tenant(String organizationId, boolean admin) {
    public static final Tenant ADMIN = new Tenant(null, true);

    public static Tenant of(String organizationId) {
        return new Tenant(organizationId, false);
    }
}
