package io.eventflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.eventflow.schemas.EventEnvelope;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Setting a subject's compatibility level, and what a refused registration says, against a stub registry. */
class CompatibilityTest {
    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile int status;
    private volatile String body;

    private RestSchemaRegistryClient client() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
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

    @Test
    void theLevelIsPutOnTheSubjectsConfig() throws IOException {
        var client = client();
        status = 200;
        body = "{\"compatibilityLevel\":\"BACKWARD_TRANSITIVE\"}"; // Apicurio's answer; Confluent says "compatibility"
        client.setCompatibility("payment-events-value", Compatibility.BACKWARD_TRANSITIVE);
        assertThat(requests).containsExactly(
                "PUT /apis/ccompat/v7/config/payment-events-value {\"compatibility\":\"BACKWARD_TRANSITIVE\"}");

        body = "{\"compatibility\":\"FORWARD_TRANSITIVE\"}";
        client.setCompatibility("payment-command-results-value", Compatibility.FORWARD_TRANSITIVE);

        body = "{\"compatibility\":\"NONE\"}";
        assertThatThrownBy(() -> client.setCompatibility("s", Compatibility.FULL))
                .isInstanceOf(SchemaRegistryUnavailableException.class).hasMessageContaining("FULL");
        status = 422;
        body = "{\"error_code\":42203,\"message\":\"Invalid compatibility level\"}";
        assertThatThrownBy(() -> client.setCompatibility("s", Compatibility.FULL))
                .isInstanceOf(SchemaRegistryException.class).hasMessageContaining("42203");
    }

    @Test
    void aRefusedRegistrationNamesTheSubjectAndSaysIncompatible() throws IOException {
        var client = client();
        status = 409;
        body = "{\"error_code\":409,\"message\":\"Schema being registered is incompatible with an earlier schema\"}";
        assertThatThrownBy(() -> client.register("payment-events-value", EventEnvelope.getClassSchema()))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessageContaining("subject payment-events-value")
                .hasMessageContaining("io.eventflow.schemas.EventEnvelope is incompatible");
        // The serializer lets it through as it is: a permanent fault, not the registry being away.
        var serializer = new AvroSerializer<EventEnvelope>(client, true);
        var e = EventEnvelope.newBuilder().setEventId("e").setAggregateId("p").setAggregateType("Payment")
                .setEventType("PaymentDisputed").setVersion(1).setTimestamp(java.time.Instant.EPOCH)
                .setCorrelationId("c").setMetadata(new io.eventflow.schemas.Metadata(null, null, java.util.Map.of()))
                .setPayload(new io.eventflow.schemas.payment.PaymentDisputed("p", "r")).build();
        assertThatThrownBy(() -> serializer.serialize("payment-events", e))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("subject payment-events-value").hasMessageContaining("incompatible");
    }

    @Test
    void eachKindOfTopicHasItsLevel() {
        assertThat(Compatibility.forTopic("payment-events")).isEqualTo(Compatibility.BACKWARD_TRANSITIVE);
        assertThat(Compatibility.forTopic("payment-commands")).isEqualTo(Compatibility.BACKWARD_TRANSITIVE);
        assertThat(Compatibility.forTopic("payment-command-results")).isEqualTo(Compatibility.FORWARD_TRANSITIVE);
        assertThat(Compatibility.forTopic("payment-events-dlq")).isNull();
        assertThat(Compatibility.forTopic("payment-commands-dlq")).isNull();

        var fake = new InMemorySchemaRegistryClient();
        fake.setCompatibility("x-value", Compatibility.FULL);
        assertThat(fake.compatibility("x-value")).isEqualTo(Compatibility.FULL);
    }
}
