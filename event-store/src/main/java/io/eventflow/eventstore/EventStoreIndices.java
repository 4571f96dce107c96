package io.eventflow.eventstore;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names of the event-store and read-model indices, and their set-up.
 *
 * <p>Clients always read and write through aliases ({@code <prefix>events}, and one per aggregate
 * type's read model such as {@code <prefix>payments}); the concrete indices ({@code <prefix>events-v1}, {@code -v2}, ...) come
 * from index templates, so a rebuild can fill a new index and move the alias. Thread-safe, immutable.
 */
public final class EventStoreIndices {
    private static final Logger log = LoggerFactory.getLogger(EventStoreIndices.class);

    private static final java.util.regex.Pattern MODEL = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,63}");

    private final String prefix;
    private final Map<String, String> readModels;

    /**
     * Names only: {@link #ensure} then sets up the event store alone.
     *
     * @param prefix prepended to every index, alias and template name; may be empty, never null
     */
    public EventStoreIndices(String prefix) {
        this(prefix, Map.of());
    }

    /**
     * @param prefix prepended to every index, alias and template name; may be empty, never null
     * @param readModels each read model's name (e.g. {@code payments}) and the {@code mappings} of
     *     its index template as JSON; {@link #ensure} sets them up with the event store
     */
    public EventStoreIndices(String prefix, Map<String, String> readModels) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        Map<String, String> copy = new LinkedHashMap<>();
        for (var e : readModels.entrySet()) {
            check(e.getKey());
            if (EVENTS.equals(e.getKey())) {
                throw new IllegalArgumentException("'events' is the event store, not a read model");
            }
            copy.put(e.getKey(), Objects.requireNonNull(e.getValue(), "mappings of " + e.getKey()));
        }
        this.readModels = Collections.unmodifiableMap(copy);
    }

    public String prefix() {
        return prefix;
    }

    public String eventsAlias() {
        return prefix + EVENTS;
    }

    /** The read models {@link #ensure} sets up, in registration order. */
    public List<String> readModels() {
        return List.copyOf(readModels.keySet());
    }

    /** The alias of a model: {@code events} or a read model's name such as {@code payments}. */
    public String alias(String model) {
        check(model);
        return prefix + model;
    }

    private static void check(String model) {
        if (model == null || !MODEL.matcher(model).matches()) {
            throw new IllegalArgumentException("invalid model name '" + model + "': expected events or a read model "
                    + "name matching " + MODEL);
        }
    }

    /** The concrete index of version {@code n} of a model, e.g. {@code payments-v3}. */
    public String versionedIndex(String model, int n) {
        return alias(model) + "-v" + n;
    }

    public static final String EVENTS = "events";

    /**
     * A field whose type in a live index differs from the template's: Elasticsearch cannot change
     * it in place, so documents that need the new type are refused until a rebuild of
     * {@code model}. {@code field} is the dotted path, e.g. {@code eventData.amount}.
     */
    public record MappingConflict(String model, String index, String field, String liveType, String templateType) {
        public MappingConflict {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(index, "index");
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(liveType, "liveType");
            Objects.requireNonNull(templateType, "templateType");
        }

        /** What an operator reads in the log and in readiness. */
        public String message() {
            return "field " + field + " of index " + index + " is of type " + liveType + " but the template says "
                    + templateType + ": rebuild needed: projector-cli rebuild " + model;
        }
    }

    /**
     * As {@link #ensure(ElasticsearchClient, Function)} with one shard,
     * Elasticsearch's refresh default and {@code replicas} for every model.
     *
     * @param replicas number_of_replicas for new indices (0 for a single local node)
     */
    public List<MappingConflict> ensure(ElasticsearchClient client, int replicas) throws IOException {
        IndexSettings settings = IndexSettings.defaults(replicas);
        return ensure(client, model -> settings);
    }

    /**
     * Creates or updates the index templates, then creates the first index behind each alias if
     * the alias does not exist yet, or adds the template's new fields to the indices behind it.
     * Safe to call from several instances at once. Settings reach new indices only: existing ones
     * keep theirs until a rebuild.
     *
     * @param settings each model's ({@code events} or a read model) template settings
     * @return the fields whose type the live indices cannot take (each logged at ERROR); empty when
     *     every live index has the template's mapping
     */
    public List<MappingConflict> ensure(ElasticsearchClient client, Function<String, IndexSettings> settings)
            throws IOException {
        Objects.requireNonNull(settings, "settings");
        List<MappingConflict> conflicts = new ArrayList<>();
        conflicts.addAll(ensure(client, EVENTS, Objects.requireNonNull(settings.apply(EVENTS), EVENTS)));
        for (String model : readModels.keySet()) {
            conflicts.addAll(ensure(client, model, Objects.requireNonNull(settings.apply(model), model)));
        }
        return List.copyOf(conflicts);
    }

    /** The index template of a model with these settings, as JSON. */
    public String templateJson(String model, IndexSettings settings) {
        check(model);
        if (!EVENTS.equals(model) && !readModels.containsKey(model)) {
            throw new IllegalArgumentException("unknown model " + model + ": expected events or one of " + readModels());
        }
        return template(model).replace("${prefix}", prefix).replace("${settings}", settings.toJson());
    }

    private List<MappingConflict> ensure(ElasticsearchClient client, String kind, IndexSettings settings)
            throws IOException {
        String json = templateJson(kind, settings);
        client.indices().putIndexTemplate(b -> b.name(prefix + kind).withJson(new StringReader(json)));
        String alias = prefix + kind;
        if (client.indices().existsAlias(b -> b.name(alias)).value()) {
            return addNewFields(client, kind, alias, json);
        }
        String index = versionedIndex(kind, 1);
        try {
            var created = client.indices().create(c -> c.index(index).aliases(alias, a -> a.isWriteIndex(true)));
            if (created.shardsAcknowledged()) {
                log.info("created index {} behind alias {} ({})", index, alias, settings);
            } else {
                // Writes and reads answer 503 until its primary starts; they are retried as transient.
                log.warn("created index {} behind alias {} ({}), but its primary shard had not started when the "
                        + "request timed out; see GET _cluster/allocation/explain if it does not start", index, alias,
                        settings);
            }
        } catch (ElasticsearchException e) {
            if (!"resource_already_exists_exception".equals(e.error().type())) {
                throw e;
            }
        }
        return List.of();
    }

    /**
     * Adds the template's new fields to the indices behind the alias, so that a projector with a
     * wider read model can write to them before a rebuild fills the field for old documents. A
     * change Elasticsearch cannot apply in place (a type change) is left to a rebuild, and returned.
     */
    private static List<MappingConflict> addNewFields(ElasticsearchClient client, String model, String alias,
            String templateJson) throws IOException {
        JsonNode mappings = ElasticsearchClients.objectMapper().readTree(templateJson).path("template").path("mappings");
        // _routing is fixed when an index is created: an event store made before routing was required
        // keeps accepting the routed writes, and gets the requirement with its next rebuild (ADR 0016).
        if (mappings instanceof ObjectNode o && o.remove("_routing") != null) {
            noteUnroutedIndices(client, alias);
        }
        try {
            client.indices().putMapping(b -> b.index(alias).withJson(new StringReader(mappings.toString())));
            return List.of();
        } catch (ElasticsearchException e) {
            List<MappingConflict> conflicts = conflicts(client, model, alias, mappings.path("properties"));
            for (MappingConflict c : conflicts) {
                log.error("mapping conflict on alias {}: {}; documents that need the new type are refused "
                        + "(dead-lettered) until then, the others are still written", alias, c.message());
            }
            if (conflicts.isEmpty()) {
                log.warn("the mapping of {} differs from its template in a way that needs a rebuild: {}", alias,
                        e.getMessage());
            }
            // One type change fails the whole update: still add the fields that can be added, one by one.
            var properties = mappings.path("properties").fields();
            while (properties.hasNext()) {
                var field = properties.next();
                String one = "{\"properties\":{" + ElasticsearchClients.objectMapper().writeValueAsString(field.getKey())
                        + ":" + field.getValue() + "}}";
                try {
                    client.indices().putMapping(b -> b.index(alias).withJson(new StringReader(one)));
                } catch (ElasticsearchException fieldError) {
                    log.debug("field {} of {} keeps its old mapping until a rebuild: {}", field.getKey(), alias,
                            fieldError.getMessage());
                }
            }
            return conflicts;
        }
    }

    /** Logs the indices behind the alias whose mapping does not require routing (made before ADR 0016). */
    private static void noteUnroutedIndices(ElasticsearchClient client, String alias) throws IOException {
        Response response = ElasticsearchClients.restClient(client)
                .performRequest(new Request("GET", "/" + alias + "/_mapping"));
        JsonNode live;
        try (InputStream in = response.getEntity().getContent()) {
            live = ElasticsearchClients.objectMapper().readTree(in);
        }
        for (var index = live.fields(); index.hasNext(); ) {
            var e = index.next();
            if (!e.getValue().path("mappings").path("_routing").path("required").asBoolean(false)) {
                log.info("index {} behind {} was created before event documents were routed by aggregate id: "
                        + "writes and reads are routed anyway (with one shard that changes nothing); a rebuild makes "
                        + "the routing required (ADR 0016)", e.getKey(), alias);
            }
        }
    }

    /** The template's fields whose type differs in an index behind the alias. */
    private static List<MappingConflict> conflicts(ElasticsearchClient client, String model, String alias,
            JsonNode templateProperties) throws IOException {
        Response response = ElasticsearchClients.restClient(client).performRequest(new Request("GET", "/" + alias + "/_mapping"));
        JsonNode live;
        try (InputStream in = response.getEntity().getContent()) {
            live = ElasticsearchClients.objectMapper().readTree(in);
        }
        List<MappingConflict> out = new ArrayList<>();
        for (var index = live.fields(); index.hasNext(); ) {
            var e = index.next();
            compare(model, e.getKey(), "", e.getValue().path("mappings").path("properties"), templateProperties, out);
        }
        return out;
    }

    private static void compare(String model, String index, String path, JsonNode live, JsonNode template,
            List<MappingConflict> out) {
        for (var it = template.fields(); it.hasNext(); ) {
            var field = it.next();
            JsonNode liveField = live.path(field.getKey());
            if (liveField.isMissingNode()) {
                continue; // new: added in place
            }
            String name = path + field.getKey();
            String templateType = type(field.getValue());
            String liveType = type(liveField);
            if (!templateType.equals(liveType)) {
                out.add(new MappingConflict(model, index, name, liveType, templateType));
            } else if (field.getValue().has("properties")) {
                compare(model, index, name + ".", liveField.path("properties"), field.getValue().path("properties"), out);
            }
        }
    }

    /** A field's type; an object field has none in its mapping. */
    private static String type(JsonNode field) {
        return field.path("type").asText("object");
    }

    private String template(String kind) {
        if (!EVENTS.equals(kind)) {
            return "{\"index_patterns\": [\"${prefix}" + kind + "-*\"], \"priority\": 200,"
                    + " \"_meta\": {\"description\": \"eventflow read model " + kind + ": one document per aggregate, "
                    + "_id = aggregate id, external version = aggregate version\"},"
                    + " \"template\": {\"settings\": ${settings}, "
                    + "\"mappings\": " + readModels.get(kind) + "}}";
        }
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
