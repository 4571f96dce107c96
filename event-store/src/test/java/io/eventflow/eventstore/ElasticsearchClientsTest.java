package io.eventflow.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The credentials on the wire and the start-up check, against a stub node. (The secured-stack IT
 * shows basic auth and TLS against a real node; API keys cannot be created on that minimal node.)
 */
class ElasticsearchClientsTest {
    private HttpServer server;
    private volatile String authorization;
    private volatile int status;
    private volatile String body;

    private String start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            authorization = exchange.getRequestHeaders().getFirst("Authorization");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("X-elastic-product", "Elasticsearch");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static ElasticsearchSettings settings(Map<String, String> keys) {
        return ElasticsearchSettings.from(new AbstractConfig(CommonConfig.defineElasticsearch(new ConfigDef()), keys, false));
    }

    @Test
    void anApiKeyGoesWithEveryRequestAndTheCheckSaysWhoItIs() throws Exception {
        var settings = settings(Map.of("elasticsearch.url", start(), "elasticsearch.api.key", "aWQ6a2V5"));
        var client = ElasticsearchClients.connect(settings);
        try {
            status = 200;
            body = "{\"username\":\"svc\",\"authentication_realm\":{\"name\":\"_es_api_key\"}}";
            assertThat(ElasticsearchClients.checkAccess(client, settings)).isEqualTo("authenticated as svc (realm _es_api_key)");
            assertThat(authorization).isEqualTo("ApiKey aWQ6a2V5");
        } finally {
            ElasticsearchClients.close(client);
        }
    }

    @Test
    void refusedCredentialsStopTheStartNamingTheKeysButAnOutageDoesNot() throws Exception {
        var settings = settings(Map.of("elasticsearch.url", start(), "elasticsearch.api.key", "aWQ6d3Jvbmc="));
        var client = ElasticsearchClients.connect(settings);
        try {
            status = 401;
            body = "{\"error\":{\"type\":\"security_exception\"},\"status\":401}";
            assertThatThrownBy(() -> ElasticsearchClients.checkAccess(client, settings))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("refused the credentials (401): check elasticsearch.api.key")
                    .hasMessageNotContaining("aWQ6d3Jvbmc=");
            status = 503;
            body = "{}";
            assertThat(ElasticsearchClients.checkAccess(client, settings)).startsWith("not checked");
        } finally {
            ElasticsearchClients.close(client);
        }
        var anonymous = settings(Map.of("elasticsearch.url", "http://127.0.0.1:" + server.getAddress().getPort()));
        var plain = ElasticsearchClients.connect(anonymous);
        try {
            status = 401;
            body = "{}";
            assertThatThrownBy(() -> ElasticsearchClients.checkAccess(plain, anonymous))
                    .hasMessageContaining("it needs some; set elasticsearch.api.key");
            assertThat(authorization).isNull();
        } finally {
            ElasticsearchClients.close(plain);
        }
    }
}
