package io.eventflow.query.search;

import java.util.Objects;

/**
 * One paginated listing: the route whose cursors continue it, the index (or alias) it reads, and
 * its order, newest first by {@code timeField} and then by {@code idField}.
 */
public record Walk(String route, String index, String timeField, String idField) {
    public Walk {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(timeField, "timeField");
        Objects.requireNonNull(idField, "idField");
    }
}
