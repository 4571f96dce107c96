package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventflow.schemas.CommandResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client reads its own writes: the query cache never hides a document the indices already show,
 * and {@code minVersion} waits for the version a command's result reported.
 */
class ReadYourWritesIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private Pipeline pipeline;

    @BeforeEach
    void start() throws Exception {
        pipeline = new Pipeline();
    }

    @AfterEach
    void stop() {
        pipeline.close();
    }

    /** The read model's document as Elasticsearch itself shows it (a realtime GET), or null. */
    private JsonNode fromElasticsearch(String paymentId) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                TestServers.get().elasticsearch() + "/" + pipeline.indexPrefix + "payments/_doc/" + paymentId)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = Pipeline.JSON.readTree(r.body());
        return body.path("found").asBoolean() ? body.path("_source") : null;
    }

    private CommandResult awaitResult(String aggregateId, int count) {
        return await().atMost(WAIT).until(() -> pipeline.results().stream()
                .filter(r -> r.getAggregateId().equals(aggregateId)).toList(), l -> l.size() >= count).get(count - 1);
    }

    @Test
    void aPaymentAskedForBeforeItExistedIsSeenOnceElasticsearchShowsIt() throws Exception {
        // Asked once before it exists: the 404 must not be kept (the query cache's ttl is 5 s here).
        assertThat(pipeline.get("/payments/pay-early").status()).isEqualTo(404);
        pipeline.send(Commands.process("pay-early", 2_500, "EUR", "org-1", "user-1", 0L));
        // Once the read model's document is searchable, the API shows it on the next request.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> fromElasticsearch("pay-early") != null);
        await().atMost(Duration.ofMillis(1_500)).pollInterval(Duration.ofMillis(50))
                .until(() -> pipeline.get("/payments/pay-early").status() == 200);
    }

    @Test
    void minVersionAnswersWithTheVersionTheCommandProduced() throws Exception {
        pipeline.send(Commands.process("pay-ryw", 10_000, "EUR", "org-1", "user-1", 0L));
        long created = awaitResult("pay-ryw", 1).getVersion();
        // Straight after the result: the read may have to wait for the projector, never answers older.
        Pipeline.Response first = pipeline.get("/payments/pay-ryw?minVersion=" + created);
        assertThat(first.status()).as(first.body().toString()).isEqualTo(200);
        assertThat(first.body().path("version").asLong()).isGreaterThanOrEqualTo(created);

        // Cached now at version 1; a refund's version must still be seen at once.
        assertThat(pipeline.get("/payments/pay-ryw").body().path("version").asLong()).isEqualTo(1);
        pipeline.send(Commands.refund("pay-ryw", 4_000, "org-1", "user-1", created));
        long refunded = awaitResult("pay-ryw", 2).getVersion();
        long started = System.nanoTime();
        Pipeline.Response second = pipeline.get("/payments/pay-ryw?minVersion=" + refunded);
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(second.status()).as(second.body().toString()).isEqualTo(200);
        // Straight from Elasticsearch, not after the cached version 1 expires (5 s after it was cached).
        assertThat(tookMs).isLessThan(3_500);
        assertThat(second.body().path("version").asLong()).isEqualTo(refunded);
        assertThat(second.body().path("refundAmount").asLong()).isEqualTo(4_000);
        // The fresh answer replaced the cached one: a read without minVersion is not older.
        assertThat(pipeline.get("/payments/pay-ryw").body().path("version").asLong()).isEqualTo(refunded);

        Pipeline.Response history = pipeline.get("/aggregates/pay-ryw/events?minVersion=" + refunded);
        assertThat(history.status()).isEqualTo(200);
        assertThat(history.body().path("version").asLong()).isEqualTo(refunded);
        assertThat(history.body().path("events")).hasSize(2);
    }

    @Test
    void aVersionThatDoesNotComeAnswers504WithRetryAfter() throws Exception {
        pipeline.send(Commands.process("pay-late", 1_000, "EUR", "org-1", "user-1", 0L));
        awaitResult("pay-late", 1);
        for (String path : List.of("/payments/pay-late?minVersion=7", "/aggregates/pay-late/events?minVersion=7")) {
            long started = System.nanoTime();
            HttpResponse<String> r = pipeline.getRaw(path);
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(504);
            assertThat(r.headers().firstValue("Retry-After")).as(path).contains("1");
            assertThat(Pipeline.JSON.readTree(r.body()).path("detail").asText()).contains("version 7", "at version 1");
            // The default wait is 5 s: bounded, not a hung request.
            assertThat(tookMs).as(path).isBetween(4_000L, 15_000L);
        }
    }
}
