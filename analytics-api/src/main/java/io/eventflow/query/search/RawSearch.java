package io.eventflow.query.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NByteArrayEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;

/**
 * Search requests built as JSON trees and answered as JSON trees, on the low-level REST client.
 * The hot read paths reshape Elasticsearch's answer in one parse instead of deserializing typed
 * responses and serializing them again, which cost several times Elasticsearch's own time per
 * request. Values from requests go into the tree as values, never into JSON text. Thread-safe.
 */
public final class RawSearch {
    private final RestClient rest;
    private final ObjectMapper json;

    public RawSearch(RestClient rest, ObjectMapper json) {
        this.rest = Objects.requireNonNull(rest, "rest");
        this.json = Objects.requireNonNull(json, "json");
    }

    public ObjectNode object() {
        return json.createObjectNode();
    }

    public ArrayNode array() {
        return json.createArrayNode();
    }

    /** POST {index}/_search (missing indices are empty), or POST /_search when the body names a point in time. */
    public JsonNode search(String index, ObjectNode body) throws IOException {
        Request request = new Request("POST", index == null ? "/_search" : "/" + index + "/_search");
        if (index != null) {
            request.addParameter("ignore_unavailable", "true");
            request.addParameter("allow_no_indices", "true");
        }
        request.setEntity(new NByteArrayEntity(json.writeValueAsBytes(body), ContentType.APPLICATION_JSON));
        Response response = rest.performRequest(request);
        try (InputStream in = response.getEntity().getContent()) {
            return json.readTree(in);
        }
    }

    public ObjectNode term(String field, String value) {
        ObjectNode q = object();
        q.putObject("term").put(field, value);
        return q;
    }

    public ObjectNode range(String field, Instant from, Instant to) {
        ObjectNode q = object();
        ObjectNode r = q.putObject("range").putObject(field);
        if (from != null) {
            r.put("gte", from.toString());
        }
        if (to != null) {
            r.put("lte", to.toString());
        }
        return q;
    }

    /** {"bool":{"filter":[...]}} */
    public ObjectNode filtered(List<ObjectNode> filters) {
        ObjectNode q = object();
        q.putObject("bool").putArray("filter").addAll(filters);
        return q;
    }
}
