package io.eventflow.eventstore;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.Arrays;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

/** Builds Elasticsearch clients that map {@link java.time.Instant} as ISO-8601 strings. */
public final class ElasticsearchClients {
    private ElasticsearchClients() {
    }

    /** The JSON mapper used for documents: ISO-8601 dates, unknown properties ignored. */
    public static ObjectMapper objectMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /**
     * @param urls comma-separated node URLs, e.g. {@code http://localhost:9200}
     * @return a thread-safe client; close it with {@link #close(ElasticsearchClient)}
     */
    public static ElasticsearchClient connect(String urls) {
        HttpHost[] hosts = Arrays.stream(urls.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(HttpHost::create).toArray(HttpHost[]::new);
        RestClient rest = RestClient.builder(hosts)
                .setRequestConfigCallback(c -> c.setConnectTimeout(5_000).setSocketTimeout(60_000))
                .build();
        return new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper(objectMapper())));
    }

    /**
     * The low-level REST client under {@code client}, for callers that pass JSON through as it is
     * rather than paying for typed responses. Owned by {@code client}: do not close it separately.
     */
    public static RestClient restClient(ElasticsearchClient client) {
        return ((RestClientTransport) client._transport()).restClient();
    }

    public static void close(ElasticsearchClient client) {
        try {
            client._transport().close();
        } catch (IOException e) {
            // closing: nothing left to do with the error
        }
    }
}
