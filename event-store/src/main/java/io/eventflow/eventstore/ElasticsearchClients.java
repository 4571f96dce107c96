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
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.apache.http.client.config.RequestConfig;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.RestClient;

/** Builds Elasticsearch clients that map {@link java.time.Instant} as ISO-8601 strings. */
public final class ElasticsearchClients {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ElasticsearchClients.class);
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
        return connect(ElasticsearchSettings.ofUrls(urls));
    }

    /**
     * @param settings the nodes, credentials and TLS trust
     * @return a thread-safe client; close it with {@link #close(ElasticsearchClient)}
     */
    public static ElasticsearchClient connect(ElasticsearchSettings settings) {
        return connect(settings, Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    /**
     * As {@link #connect(String)}, every request bounded by {@code requestTimeout}: to connect, to
     * get a pooled connection, and between two bytes of the answer (a socket timeout: a server that
     * keeps trickling bytes is not cut off by it, so callers with a hard deadline check it too).
     */
    public static ElasticsearchClient connect(String urls, Duration requestTimeout) {
        return connect(ElasticsearchSettings.ofUrls(urls), requestTimeout);
    }

    /** As {@link #connect(ElasticsearchSettings)}, every request bounded by {@code requestTimeout} as above. */
    public static ElasticsearchClient connect(ElasticsearchSettings settings, Duration requestTimeout) {
        return connect(settings, requestTimeout, requestTimeout);
    }

    private static ElasticsearchClient connect(ElasticsearchSettings settings, Duration connectTimeout,
            Duration socketTimeout) {
        int connectMs = Math.toIntExact(connectTimeout.toMillis());
        int socketMs = Math.toIntExact(socketTimeout.toMillis());
        var builder = RestClient.builder(settings.hosts().toArray(HttpHost[]::new))
                .setRequestConfigCallback(c -> c.setConnectTimeout(connectMs).setSocketTimeout(socketMs)
                        .setConnectionRequestTimeout(connectMs));
        // Sent with every request (no 401 round trip first); the header is never logged.
        settings.authorization().ifPresent(value ->
                builder.setDefaultHeaders(new Header[] {new BasicHeader("Authorization", value)}));
        Optional<SSLContext> ssl = settings.sslContext();
        if (settings.tls()) {
            builder.setHttpClientConfigCallback(http -> {
                ssl.ifPresent(http::setSSLContext);
                if (settings.verification() == ElasticsearchSettings.Verification.CERTIFICATE) {
                    http.setSSLHostnameVerifier(NoopHostnameVerifier.INSTANCE);
                }
                return http;
            });
        }
        RestClient rest = builder.build();
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

    /**
     * The start-up check of a service's access: asks Elasticsearch who the credentials are
     * ({@code GET /_security/_authenticate}, which needs no privilege). Refused credentials (401) or
     * a server certificate the settings do not trust are misconfigurations that no retry mends, so
     * they throw, naming the keys to fix. A node that does not answer is left to the service's own
     * retries, and a cluster without security passes.
     *
     * @return who Elasticsearch says the credentials are, e.g. {@code "authenticated as eventflow-projector
     *     (realm file)"}, or why the check could not tell ({@code "not checked: ..."})
     * @throws IllegalStateException when the credentials or the certificate are refused
     */
    public static String checkAccess(ElasticsearchClient client, ElasticsearchSettings settings) {
        try {
            Response response = restClient(client).performRequest(new Request("GET", "/_security/_authenticate"));
            var json = objectMapper().readTree(response.getEntity().getContent());
            return "authenticated as " + json.path("username").asText("?") + " (realm "
                    + json.path("authentication_realm").path("name").asText("?") + ")";
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            if (status == 401) {
                throw new IllegalStateException("Elasticsearch " + settings.hosts() + " refused the credentials (401): "
                        + (settings.credentialsKey().isEmpty() ? "it needs some; set " + CommonConfig.ELASTICSEARCH_API_KEY
                        + " or " + CommonConfig.ELASTICSEARCH_USERNAME + " and " + CommonConfig.ELASTICSEARCH_PASSWORD
                        : "check " + settings.credentialsKey()));
            }
            // Security off (the endpoint is refused), or a node in trouble: the service's retries decide.
            return "not checked: GET /_security/_authenticate answered " + status;
        } catch (SSLException e) {
            throw new IllegalStateException("TLS with Elasticsearch " + settings.hosts() + " failed: " + e.getMessage()
                    + " (is its certificate signed by the CA of " + CommonConfig.ELASTICSEARCH_SSL_CA + " or "
                    + CommonConfig.ELASTICSEARCH_SSL_CA_FINGERPRINT + ", and does it name the host? "
                    + CommonConfig.ELASTICSEARCH_SSL_VERIFICATION_MODE + "=certificate skips the host name)", e);
        } catch (IOException e) {
            return "not checked: " + e;
        }
    }

    /**
     * {@link #connect(ElasticsearchSettings, Duration)} then {@link #checkAccess}, logging who the
     * credentials are; the client is closed again when the check throws.
     *
     * @throws IllegalStateException when Elasticsearch refuses the credentials or the certificate
     */
    public static ElasticsearchClient connectAndCheck(ElasticsearchSettings settings, Duration requestTimeout) {
        return checked(connect(settings, requestTimeout), settings);
    }

    /** As above, with {@link #connect(ElasticsearchSettings)}'s timeouts. */
    public static ElasticsearchClient connectAndCheck(ElasticsearchSettings settings) {
        return checked(connect(settings), settings);
    }

    private static ElasticsearchClient checked(ElasticsearchClient client, ElasticsearchSettings settings) {
        try {
            log.info("{}: {}", settings, checkAccess(client, settings));
            return client;
        } catch (RuntimeException e) {
            close(client);
            throw e;
        }
    }

    public static void close(ElasticsearchClient client) {
        try {
            client._transport().close();
        } catch (IOException e) {
            // closing: nothing left to do with the error
        }
    }
}
