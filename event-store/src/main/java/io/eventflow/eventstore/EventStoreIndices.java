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
 * {@code <prefix>payments}); the concrete indices ({@code <prefix>events-v1}, {@code -v2}, ...) come
 * from index templates, so a rebuild can fill a new index and move the alias. Thread-safe, immutable.
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

    /** The alias of a model: {@code events} or {@code payments}. */
    public String alias(String model) {
        if (!EVENTS.equals(model) && !PAYMENTS.equals(model)) {
            throw new IllegalArgumentException("unknown model '" + model + "': expected events or payments");
        }
        return prefix + model;
    }

    /** The concrete index of version {@code n} of a model, e.g. {@code payments-v3}. */
    public String versionedIndex(String model, int n) {
        return alias(model) + "-v" + n;
    }

    public static final String EVENTS = "events";
    public static final String PAYMENTS = "payments";

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
            addNewFields(client, alias, json);
            return;
        }
        String index = versionedIndex(kind, 1);
        try {
            client.indices().create(c -> c.index(index).aliases(alias, a -> a.isWriteIndex(true)));
            log.info("created index {} behind alias {}", index, alias);
        } catch (ElasticsearchException e) {
            if (!"resource_already_exists_exception".equals(e.error().type())) {
                throw e;
            }
        }
    }

    /**
     * Adds the template's new fields to the indices behind the alias, so that a projector with a
     * wider read model can write to them before a rebuild fills the field for old documents. A
     * change Elasticsearch cannot apply in place (a type change) is left to a rebuild.
     */
    private static void addNewFields(ElasticsearchClient client, String alias, String templateJson) throws IOException {
        String mappings = ElasticsearchClients.objectMapper().readTree(templateJson).path("template").path("mappings")
                .toString();
        try {
            client.indices().putMapping(b -> b.index(alias).withJson(new StringReader(mappings)));
        } catch (ElasticsearchException e) {
            log.warn("the mapping of {} differs from its template in a way that needs a rebuild: {}", alias,
                    e.getMessage());
            // One type change fails the whole update: still add the fields that can be added, one by one.
            var properties = ElasticsearchClients.objectMapper().readTree(mappings).path("properties").fields();
            while (properties.hasNext()) {
                var field = properties.next();
                String one = "{\"properties\":{" + ElasticsearchClients.objectMapper().writeValueAsString(field.getKey())
                        + ":" + field.getValue() + "}}";
                try {
                    client.indices().putMapping(b -> b.index(alias).withJson(new StringReader(one)));
                } catch (ElasticsearchException fieldError) {
                    log.warn("field {} of {} keeps its old mapping until a rebuild: {}", field.getKey(), alias,
                            fieldError.getMessage());
                }
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
