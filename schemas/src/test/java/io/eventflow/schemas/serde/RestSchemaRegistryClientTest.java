package io.eventflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.eventflow.schemas.CommandEnvelope;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the REST client types what a registry (or something else at its URL) answers, against a stub server. */
class RestSchemaRegistryClientTest {
    private HttpServer server;
    private volatile int status;
    private volatile String body;
    private volatile String contentType = "application/json";
    private volatile String authorization;

    private RestSchemaRegistryClient client() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            authorization = exchange.getRequestHeaders().getFirst("Authorization");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return new RestSchemaRegistryClient("http://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7",
                Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void answer(int status, String body) {
        this.status = status;
        this.body = body;
    }

    @Test
    void credentialsGoInAHeaderNeverInWhatTheClientShowsAndARefusalSaysWhichKeyToCheck() throws IOException {
        client();
        int port = server.getAddress().getPort();
        var client = new SerdeConfig(java.util.Map.of("schema.registry.url",
                "http://svc:s3cret@127.0.0.1:" + port + "/apis/ccompat/v7")).newClient();
        answer(200, "[]");
        client.checkAccess();
        assertThat(authorization).isEqualTo("Basic " + java.util.Base64.getEncoder()
                .encodeToString("svc:s3cret".getBytes(StandardCharsets.UTF_8)));
        assertThat(client.describe()).doesNotContain("s3cret").doesNotContain("svc");
        answer(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        assertThatThrownBy(client::checkAccess).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("credentials were refused: check basic.auth.user.info").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> client.byId(1)).isInstanceOfSatisfying(SchemaRegistryUnavailableException.class,
                e -> assertThat(e.refusedCredentials()).isTrue());
        var anonymous = new RestSchemaRegistryClient("http://127.0.0.1:" + port, Duration.ofSeconds(5));
        assertThatThrownBy(anonymous::checkAccess).hasMessageContaining("it needs credentials");
        answer(503, "{}");
        anonymous.checkAccess(); // an outage is left to the callers' retries
    }

    @Test
    void schemaNotFoundIsTheOnlyPerRecordAnswerForAnId() throws IOException {
        var client = client();
        answer(404, "{\"message\":\"No content with ID '999999' was found.\",\"error_code\":40403}");
        assertThatThrownBy(() -> client.byId(999999))
                .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> assertThat(e.id()).isEqualTo(999999))
                .hasMessageContaining(client.describe());
    }

    @Test
    void aNotFoundWithoutErrorCodeIsAWrongUrlNotAMissingSchema() throws IOException {
        var client = client();
        // What Apicurio answers for a URL without its /apis/ccompat/v7 path.
        answer(404, "{\"detail\":\"NotFoundException: RESTEASY003210: Could not find resource for full path\",\"status\":404}");
        assertThatThrownBy(() -> client.byId(1))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining(client.describe()).hasMessageContaining("404").hasMessageContaining("API path");
        answer(404, "");
        assertThatThrownBy(() -> client.byId(1)).isInstanceOf(SchemaRegistryUnavailableException.class);
    }

    @Test
    void anotherErrorCodeOnAByIdReadIsAnInfrastructureFault() throws IOException {
        var client = client();
        answer(404, "{\"message\":\"subject not found\",\"error_code\":40401}");
        assertThatThrownBy(() -> client.byId(1)).isInstanceOf(SchemaRegistryUnavailableException.class);
    }

    @Test
    void authorizationAndServerErrorsAreInfrastructureFaults() throws IOException {
        var client = client();
        for (int s : new int[] {401, 403, 408, 429, 500, 503}) {
            answer(s, "{\"message\":\"no\",\"error_code\":" + s + "01}");
            assertThatThrownBy(() -> client.byId(1)).as("status %d", s)
                    .isInstanceOf(SchemaRegistryUnavailableException.class)
                    .hasMessageContaining(client.describe()).hasMessageContaining("answered " + s);
            // The producer's side too: a registry refusing the client is no reason to call a record bad.
            assertThatThrownBy(() -> client.register("t-value", CommandEnvelope.getClassSchema())).as("status %d", s)
                    .isInstanceOf(SchemaRegistryUnavailableException.class);
        }
    }

    @Test
    void anHtmlPageIsAnInfrastructureFault() throws IOException {
        var client = client();
        contentType = "text/html";
        answer(200, "<html><body>Welcome</body></html>");
        assertThatThrownBy(() -> client.byId(1))
                .isInstanceOf(SchemaRegistryUnavailableException.class).hasMessageContaining("not JSON");
        answer(200, "{\"hello\":\"world\"}");
        assertThatThrownBy(() -> client.byId(1))
                .isInstanceOf(SchemaRegistryUnavailableException.class).hasMessageContaining("without a schema");
    }

    @Test
    void aRedirectIsAnInfrastructureFault() throws IOException {
        var client = client();
        answer(302, "");
        assertThatThrownBy(() -> client.byId(1)).isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("302");
    }

    @Test
    void latestIdAndFindTellAMissingSubjectOrSchemaFromAFault() throws IOException {
        var client = client();
        answer(200, "{\"subject\":\"t-value\",\"version\":3,\"id\":17,\"schema\":\"\\\"string\\\"\"}");
        assertThat(client.latestId("t-value")).isEqualTo(OptionalInt.of(17));
        answer(404, "{\"message\":\"No artifact with ID 't-value' in group 'null' was found.\",\"error_code\":40401}");
        assertThat(client.latestId("t-value")).isEmpty();
        assertThat(client.find("t-value", CommandEnvelope.getClassSchema())).isEmpty();
        answer(404, "{\"message\":\"The given schema does not match any schema under the subject\",\"error_code\":40403}");
        assertThat(client.find("t-value", CommandEnvelope.getClassSchema())).isEmpty();
        answer(401, "{\"message\":\"Unauthorized\",\"error_code\":40101}");
        assertThatThrownBy(() -> client.latestId("t-value")).isInstanceOf(SchemaRegistryUnavailableException.class);
        assertThatThrownBy(() -> client.find("t-value", CommandEnvelope.getClassSchema()))
                .isInstanceOf(SchemaRegistryUnavailableException.class);
    }

    @Test
    void anUnreachableRegistryIsAnInfrastructureFaultNamingIt() {
        var client = new RestSchemaRegistryClient("http://127.0.0.1:1", Duration.ofMillis(500));
        assertThatThrownBy(() -> client.byId(1)).isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("http://127.0.0.1:1");
    }
}
