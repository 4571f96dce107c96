package io.eventflow.query;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.eventstore.Health;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the API can answer queries now: Elasticsearch answers and the events alias and the
 * alias of every wired read model exist (the projector creates them). Live in any case: the API itself serves. Thread-safe.
 */
final class Readiness {
    private static final Logger log = LoggerFactory.getLogger(Readiness.class);
    /** The readiness reason when Elasticsearch does not answer. */
    static final String ES_UNREACHABLE = "Elasticsearch is unreachable";

    private final ElasticsearchClient client;
    private final EventStoreIndices indices;

    Readiness(ElasticsearchClient client, EventStoreIndices indices) {
        this.client = Objects.requireNonNull(client, "client");
        this.indices = Objects.requireNonNull(indices, "indices");
    }

    /** True when Elasticsearch answers. */
    boolean reachable() {
        try {
            return client.cluster().health(h -> h.timeout(t -> t.time("2s"))) != null;
        } catch (Exception e) {
            log.warn("Elasticsearch health check failed: {}", e.toString());
            return false;
        }
    }

    Health check() {
        if (!reachable()) {
            return Health.notReady(ES_UNREACHABLE);
        }
        List<String> aliases = new ArrayList<>();
        aliases.add(indices.eventsAlias());
        indices.readModels().forEach(m -> aliases.add(indices.alias(m)));
        for (String alias : aliases) {
            try {
                if (!client.indices().existsAlias(a -> a.name(alias)).value()) {
                    return Health.notReady("index alias " + alias + " is missing: the projector creates it when it "
                            + "starts (or projector-cli rebuild)");
                }
            } catch (Exception e) {
                return Health.notReady("cannot check index alias " + alias + ": " + e);
            }
        }
        return Health.UP;
    }
}
