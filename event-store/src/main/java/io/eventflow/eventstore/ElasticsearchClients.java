package io.eventflow.eventstore;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.TransportOptions;
import co.elastic.clients.transport.rest_client.RestClientOptions;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import org.apache.http.HttpHost;
import org.apache.http.client.config.RequestConfig;
import org.elasticsearch.client.RequestOptions;
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
        return connect(urls, Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    /**
     * As {@link #connect(String)}, every request bounded by {@code requestTimeout}: to connect, to
     * get a pooled connection, and between two bytes of the answer (a socket timeout: a server that
     * keeps trickling bytes is not cut off by it, so callers with a hard deadline check it too).
     */
    public static ElasticsearchClient connect(String urls, Duration requestTimeout) {
        return connect(urls, requestTimeout, requestTimeout);
    }

    private static ElasticsearchClient connect(String urls, Duration connectTimeout, Duration socketTimeout) {
        int connectMs = Math.toIntExact(connectTimeout.toMillis());
        int socketMs = Math.toIntExact(socketTimeout.toMillis());
        HttpHost[] hosts = Arrays.stream(urls.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(HttpHost::create).toArray(HttpHost[]::new);
        RestClient rest = RestClient.builder(hosts)
                .setRequestConfigCallback(c -> c.setConnectTimeout(connectMs).setSocketTimeout(socketMs)
                        .setConnectionRequestTimeout(connectMs))
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

    /**
     * {@code client} with every request bounded by {@code timeout} (connect, pool wait and socket
     * timeout, at least 1 ms) instead of the client's own timeouts; shares its connections.
     */
    public static ElasticsearchClient withRequestTimeout(ElasticsearchClient client, Duration timeout) {
        TransportOptions current = client._transportOptions() != null ? client._transportOptions()
                : client._transport().options();
        int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        RequestConfig config = RequestConfig.custom().setConnectTimeout(ms).setSocketTimeout(ms)
                .setConnectionRequestTimeout(ms).build();
        RequestOptions base = current instanceof RestClientOptions r ? r.restClientRequestOptions() : RequestOptions.DEFAULT;
        boolean keepBody = current instanceof RestClientOptions r && r.keepResponseBodyOnException();
        return client.withTransportOptions(new RestClientOptions(base.toBuilder().setRequestConfig(config).build(),
                keepBody));
    }

    public static void close(ElasticsearchClient client) {
        try {
            client._transport().close();
        } catch (IOException e) {
            // closing: nothing left to do with the error
        }
    }
}
