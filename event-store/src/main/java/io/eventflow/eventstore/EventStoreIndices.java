package io.eventflow.eventstore;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names of the event-store and read-model indices, and their set-up.
 *
 * <p>Clients always read and write through aliases ({@code <prefix>events},
 * {@code <prefix>payments}); the concrete indices ({@code <prefix>events-000001}, ...) come from
 * index templates, so a rebuild can fill a new index and move the alias. Thread-safe, immutable.
 */
public final class EventStoreIndices {
    private static final Logger log = LoggerFactory.getLogger(EventStoreIndices.class);

    private final String prefix;

    /** @param prefix prepended to every index, alias and template name; may be empty, never null */
    public EventStoreIndices(String prefix) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
    }

    public String eventsAlias() {
        return prefix + "events";
    }

    public String paymentsAlias() {
        return prefix + "payments";
    }

    /**
     * Creates or updates the index templates, then creates the first index behind each alias if
     * the alias does not exist yet. Safe to call from several instances at once.
     *
     * @param replicas number_of_replicas for new indices (0 for a single local node)
     */
    public void ensure(ElasticsearchClient client, int replicas) throws IOException {
        ensure(client, "events", replicas);
        ensure(client, "payments", replicas);
    }

    private void ensure(ElasticsearchClient client, String kind, int replicas) throws IOException {
        String json = template(kind).replace("${prefix}", prefix).replace("${replicas}", Integer.toString(replicas));
        client.indices().putIndexTemplate(b -> b.name(prefix + kind).withJson(new StringReader(json)));
        String alias = prefix + kind;
        if (client.indices().existsAlias(b -> b.name(alias)).value()) {
            return;
        }
        String index = alias + "-000001";
        try {
            client.indices().create(c -> c.index(index).aliases(alias, a -> a.isWriteIndex(true)));
            log.info("created index {} behind alias {}", index, alias);
        } catch (ElasticsearchException e) {
            if (!"resource_already_exists_exception".equals(e.error().type())) {
                throw e;
            }
        }
    }

    private static String template(String kind) {
        try (InputStream in = EventStoreIndices.class.getResourceAsStream(kind + "-template.json")) {
            if (in == null) {
                throw new IllegalStateException("missing template resource " + kind + "-template.json");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
