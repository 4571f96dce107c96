package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.payments.PaymentState;
import io.eventflow.payments.Payments;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract checker itself: it passes what the document describes and rejects anything else. */
class OpenApiContractTest {
    private static final ObjectMapper JSON = ElasticsearchClients.objectMapper();
    private static final OpenApiContract CONTRACT = OpenApiContract.get();
    private static final URI PAYMENT = URI.create("http://127.0.0.1:8090/payments/pay-1");
    private static final String PROBLEM = """
            {"type":"about:blank","title":"Service Unavailable","status":503,\
            "detail":"the event store is unavailable; retry later","instance":"/payments/pay-1"}""";

    private static HttpHeaders headers(String... nameValues) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            map.put(nameValues[i], List.of(nameValues[i + 1]));
        }
        return HttpHeaders.of(map, (a, b) -> true);
    }

    private static final HttpHeaders JSON_TYPE = headers("Content-Type", "application/json");

    /** The document GET /payments/{paymentId} answers: the payments read model's, plus position. */
    private static Map<String, Object> payment() {
        Instant at = Instant.parse("2026-03-10T08:00:00Z");
        Map<String, Object> doc = new LinkedHashMap<>(Payments.TYPE.readModel().toDocument(new PaymentState("pay-1",
                PaymentState.Status.PROCESSED, 1_000, "EUR", "org-1", "u-1", 0, 0, null, at, null, null, at, 1)));
        doc.put("position", Map.of("topic", "payment-events", "partition", 0, "offset", 41L));
        return doc;
    }

    private static void check(URI uri, int status, HttpHeaders headers, Object body) throws Exception {
        CONTRACT.check("GET", uri, status, headers, body instanceof String s ? s : JSON.writeValueAsString(body));
    }

    @Test
    void aReadModelDocumentAndAProblemWithItsHeadersPass() {
        assertThatCode(() -> check(PAYMENT, 200, JSON_TYPE, payment())).doesNotThrowAnyException();
        assertThatCode(() -> check(PAYMENT, 503, headers("Content-Type", "application/problem+json", "Retry-After", "5"),
                PROBLEM)).doesNotThrowAnyException();
        assertThatCode(() -> check(URI.create("http://h/metrics"), 200,
                headers("Content-Type", "text/plain; version=0.0.4; charset=utf-8"), "# HELP x\n"))
                .doesNotThrowAnyException();
    }

    @Test
    void aBodyThatDoesNotMatchItsSchemaIsRejectedWithThePathTheStatusAndTheErrors() {
        Map<String, Object> wrongType = payment();
        wrongType.put("amount", "1000");
        assertThatThrownBy(() -> check(PAYMENT, 200, JSON_TYPE, wrongType)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("GET /payments/pay-1 -> 200").hasMessageContaining("/amount: string found")
                .hasMessageContaining("PaymentDocument");
        Map<String, Object> missing = payment();
        missing.remove("version");
        assertThatThrownBy(() -> check(PAYMENT, 200, JSON_TYPE, missing)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("version");
        Map<String, Object> extra = payment();
        extra.put("secret", "x");
        assertThatThrownBy(() -> check(PAYMENT, 200, JSON_TYPE, extra)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("secret");
        Map<String, Object> badInstant = payment();
        badInstant.put("processedAt", "yesterday");
        assertThatThrownBy(() -> check(PAYMENT, 200, JSON_TYPE, badInstant)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("processedAt");
        assertThatThrownBy(() -> check(PAYMENT, 200, JSON_TYPE, "not json")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void aStatusARouteAMethodOrAContentTypeTheDocumentLacksIsRejected() {
        assertThatThrownBy(() -> check(PAYMENT, 418, JSON_TYPE, payment())).isInstanceOf(AssertionError.class)
                .hasMessageContaining("status 418 is not documented for GET /payments/{paymentId}");
        assertThatThrownBy(() -> check(URI.create("http://h/nope"), 200, JSON_TYPE, "{}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no path of the OpenAPI document matches /nope");
        assertThatThrownBy(() -> CONTRACT.check("POST", PAYMENT, 200, JSON_TYPE, JSON.writeValueAsString(payment())))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no POST on /payments/{paymentId}");
        assertThatThrownBy(() -> check(PAYMENT, 200, headers("Content-Type", "text/html"), "<html/>"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("content type 'text/html' is not documented");
        assertThatThrownBy(() -> check(PAYMENT, 503, headers("Content-Type", "application/problem+json"), PROBLEM))
                .isInstanceOf(AssertionError.class).hasMessageContaining("required header Retry-After is missing");
        // A problem answered as plain JSON is not what the document says either.
        assertThatThrownBy(() -> check(PAYMENT, 404, JSON_TYPE, PROBLEM)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("content type 'application/json' is not documented");
    }

    @Test
    void literalSegmentsWinOverPathParameters() {
        Map<String, Object> stats = Map.of("total", 0, "by_status", List.of(), "failure_rate", 0.0, "refund_rate", 0.0,
                "money_by_currency", List.of(), "failure_reasons", List.of());
        assertThatCode(() -> check(URI.create("http://h/payments/stats"), 200, JSON_TYPE, stats))
                .doesNotThrowAnyException();
        assertThat(CONTRACT.documents("GET", "/aggregates/pay-1/events")).isTrue();
        assertThat(CONTRACT.documents("GET", "/aggregates/pay-1/events/x")).isFalse();
        assertThat(CONTRACT.documents("DELETE", "/payments/pay-1")).isFalse();
    }

    /** The exemption for made-up paths cannot be used to skip the check of a documented route. */
    @Test
    void aDocumentedRouteCannotBeSentAsUndocumented() {
        assertThatThrownBy(() -> OpenApiContract.sendUndocumented(HttpClient.newHttpClient(),
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/payments/pay-1")).GET().build()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("is a documented route");
    }
}
