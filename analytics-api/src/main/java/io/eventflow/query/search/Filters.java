package io.eventflow.query.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventflow.query.auth.Tenant;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The filters of one search, built up in order; absent (null) values add nothing. Not thread-safe:
 * one per search.
 */
public final class Filters {
    private final RawSearch raw;
    private final List<ObjectNode> filters = new ArrayList<>();

    public Filters(RawSearch raw) {
        this.raw = Objects.requireNonNull(raw, "raw");
    }

    /** An exact match on {@code field}, when {@code value} is not null. */
    public Filters term(String field, String value) {
        if (value != null) {
            filters.add(raw.term(field, value));
        }
        return this;
    }

    /** {@code from <= field <= to}, either bound null for none. */
    public Filters range(String field, Instant from, Instant to) {
        if (from != null || to != null) {
            filters.add(raw.range(field, from, to));
        }
        return this;
    }

    /**
     * The tenant's organization, plus the one asked for (an admin may ask for any): the filter that
     * keeps one organization's data from another, inside the Elasticsearch query.
     *
     * @param asked null when the request names no organization
     */
    public Filters organization(String field, Tenant tenant, String asked) {
        if (!tenant.admin()) {
            term(field, tenant.organizationId());
        }
        return term(field, asked);
    }

    /** {"bool":{"filter":[...]}} */
    public ObjectNode query() {
        return raw.filtered(filters);
    }
}
