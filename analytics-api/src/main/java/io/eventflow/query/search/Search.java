package io.eventflow.query.search;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.eventflow.query.http.FreshReads;
import java.util.Objects;

/**
 * What every query package asks Elasticsearch with: the typed client, raw JSON searches, cursor
 * pages (which sign and check the cursors), reads that wait for a version, and the largest page a
 * search may ask for. Built once, in the service's wiring.
 */
public record Search(ElasticsearchClient client, RawSearch raw, CursorPages pages, FreshReads fresh, int maxPageSize) {
    public Search {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(pages, "pages");
        Objects.requireNonNull(fresh, "fresh");
        if (maxPageSize < 1) {
            throw new IllegalArgumentException("maxPageSize must be at least 1");
        }
    }
}
