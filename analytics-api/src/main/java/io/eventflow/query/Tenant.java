package io.eventflow.query;

/**
 * Who asks: one organization, or an admin who sees all of them. Queries put
 * {@link #organizationId()} into the Elasticsearch query itself; results are never filtered
 * afterwards. {@code organizationId} is null for an admin only.
 */
record Tenant(String organizationId, boolean admin) {
    static final Tenant ADMIN = new Tenant(null, true);

    static Tenant of(String organizationId) {
        return new Tenant(organizationId, false);
    }
}
