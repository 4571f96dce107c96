package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.RejectionReason;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The payments flow end to end on real Kafka, Elasticsearch and schema registry. */
class PaymentsPipelineIT {
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

    @Test
    void aProcessPaymentCommandLeavesExactlyOnePaymentProcessedEventInTheHistory() throws Exception {
        pipeline.send(Commands.process("pay-1", 10_000, "EUR", "org-1", "user-1", 0L));

        JsonNode history = awaitOk("/aggregates/pay-1/events", body -> body.path("events").size() >= 1);
        await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> pipeline.get("/aggregates/pay-1/events")
                .body().path("events").size() == 1);
        JsonNode event = history.path("events").get(0);
        assertThat(event.path("eventType").asText()).isEqualTo("PaymentProcessed");
        assertThat(event.path("version").asLong()).isEqualTo(1);
        assertThat(event.path("aggregateType").asText()).isEqualTo("Payment");
        assertThat(event.path("eventData").path("amount").asLong()).isEqualTo(10_000);
        assertThat(event.path("metadata").path("organizationId").asText()).isEqualTo("org-1");

        CommandResult result = awaitResults(1).get(0);
        assertThat(result.getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(result.getVersion()).isEqualTo(1L);
    }

    @Test
    void threePaymentsAreFoundByASearchForPaymentEventsInTheDateRange() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.MINUTES);
        pipeline.send(Commands.process("pay-a", 10_000, "EUR", "org-1", "user-1", 0L));
        pipeline.send(Commands.process("pay-b", 20_000, "USD", "org-2", "user-2", 0L));
        pipeline.send(Commands.process("pay-c", 30_000, "EUR", "org-1", "user-3", 0L));
        Instant to = Instant.now().plus(1, ChronoUnit.MINUTES);

        String search = "/events?aggregateType=Payment&from=" + from + "&to=" + to;
        JsonNode body = awaitOk(search, b -> b.path("total").asLong() >= 3);
        assertThat(body.path("total").asLong()).isEqualTo(3);
        assertThat(body.path("events")).extracting(e -> e.path("eventData").path("amount").asLong())
                .containsExactlyInAnyOrder(10_000L, 20_000L, 30_000L);

        // Outside the range: nothing.
        JsonNode before = pipeline.get("/events?aggregateType=Payment&to=" + from).body();
        assertThat(before.path("total").asLong()).isZero();
    }

    @Test
    void aFailedPaymentIsFailedInTheReadModel() throws Exception {
        pipeline.send(Commands.process("pay-f", 5_000, "GBP", "org-1", "user-1", 0L));
        pipeline.send(Commands.fail("pay-f", "card declined", "org-1", "user-1", 1L));

        JsonNode payment = awaitOk("/payments/pay-f", b -> "failed".equals(b.path("status").asText()));
        assertThat(payment.path("error").asText()).isEqualTo("card declined");
        assertThat(payment.path("amount").asLong()).isEqualTo(5_000);
        assertThat(payment.path("version").asLong()).isEqualTo(2);
        assertThat(payment.path("failedAt").isTextual()).isTrue();
        JsonNode history = awaitOk("/aggregates/pay-f/events", b -> b.path("events").size() == 2);
        assertThat(history.path("events"))
                .extracting(e -> e.path("eventType").asText()).containsExactly("PaymentProcessed", "PaymentFailed");
    }

    @Test
    void partialRefundsAddUpToARefundedPayment() throws Exception {
        pipeline.send(Commands.process("pay-r", 10_000, "EUR", "org-1", "user-1", 0L));
        pipeline.send(Commands.refund("pay-r", 4_000, "org-1", "user-1", 1L));
        JsonNode partly = awaitOk("/payments/pay-r", b -> b.path("version").asLong() == 2);
        assertThat(partly.path("status").asText()).isEqualTo("processed");
        assertThat(partly.path("refundAmount").asLong()).isEqualTo(4_000);

        pipeline.send(Commands.refund("pay-r", 6_000, "org-1", "user-1", 2L));
        JsonNode refunded = awaitOk("/payments/pay-r", b -> b.path("version").asLong() == 3);
        assertThat(refunded.path("status").asText()).isEqualTo("refunded");
        assertThat(refunded.path("refundAmount").asLong()).isEqualTo(10_000);
        assertThat(refunded.path("refundedAt").isTextual()).isTrue();

        // The one fold: the state as of the last event is the read-model document the projector wrote.
        JsonNode history = awaitOk("/aggregates/pay-r/events?asOf=" + Instant.now().plusSeconds(60),
                b -> b.path("version").asLong() == 3);
        assertThat(history.path("aggregateType").asText()).isEqualTo("Payment");
        JsonNode state = history.path("state");
        List<String> fields = new ArrayList<>();
        refunded.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).contains("paymentId", "status", "amount", "refundAmount", "refundCount", "processedAt",
                "refundedAt", "updatedAt", "version", "position");
        for (String field : fields) {
            assertThat(state.path(field)).as(field).isEqualTo(refunded.path(field));
        }
        assertThat(state.size()).as("the same fields").isEqualTo(refunded.size());
    }

    @Test
    void aCommandWithTheWrongExpectedVersionIsRejectedAndChangesNothing() throws Exception {
        pipeline.send(Commands.process("pay-v", 10_000, "EUR", "org-1", "user-1", 0L));
        CommandEnvelope stale = Commands.refund("pay-v", 1_000, "org-1", "user-1", 5L);
        pipeline.send(stale);

        List<CommandResult> results = awaitResults(2);
        CommandResult rejected = results.stream().filter(r -> r.getCommandId().equals(stale.getCommandId())).findFirst().orElseThrow();
        assertThat(rejected.getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(rejected.getRejection().getReason()).isEqualTo(RejectionReason.CONCURRENCY_CONFLICT);
        assertThat(rejected.getRejection().getExpectedVersion()).isEqualTo(5L);
        assertThat(rejected.getRejection().getActualVersion()).isEqualTo(1L);

        JsonNode payment = awaitOk("/payments/pay-v", b -> b.path("version").asLong() == 1);
        assertThat(payment.path("refundAmount").asLong()).isZero();
        // The events index refreshes on its own schedule: wait until the history is visible at all.
        JsonNode history = awaitOk("/aggregates/pay-v/events", b -> b.path("events").size() >= 1);
        assertThat(history.path("events").size()).isEqualTo(1);
    }

    @Test
    void aMalformedRecordIsDeadLetteredAndTheNextGoodRecordIsStillProcessed() throws Exception {
        pipeline.sendRaw("pay-bad", "this is not avro".getBytes(StandardCharsets.UTF_8));
        pipeline.send(Commands.process("pay-good", 7_000, "EUR", "org-1", "user-1", 0L));

        awaitOk("/payments/pay-good", b -> "processed".equals(b.path("status").asText()));
        List<ConsumerRecord<byte[], byte[]>> dead = pipeline.readAll(pipeline.deadLetterTopic);
        assertThat(dead).hasSize(1);
        ConsumerRecord<byte[], byte[]> letter = dead.get(0);
        assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("this is not avro");
        assertThat(header(letter, DeadLetterHeaders.REASON)).hasValueSatisfying(v -> assertThat(v).contains("magic byte"));
        assertThat(header(letter, DeadLetterHeaders.SOURCE_TOPIC)).hasValue(pipeline.commandsTopic);
        assertThat(header(letter, DeadLetterHeaders.SOURCE_PARTITION)).hasValue(Integer.toString(letter.partition() >= 0
                ? partitionOf(pipeline, "pay-bad") : -1));
        assertThat(header(letter, DeadLetterHeaders.SOURCE_OFFSET)).hasValue("0");
    }

    @Test
    void unknownIdsAnswer404AndBadParametersAnswer400NamingTheParameter() throws Exception {
        Pipeline.Response missing = pipeline.get("/payments/no-such-payment");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().path("status").asInt()).isEqualTo(404);
        assertThat(missing.body().path("title").asText()).isEqualTo("Not Found");

        assertThat(pipeline.get("/aggregates/no-such-aggregate/events").status()).isEqualTo(404);

        Pipeline.Response badDate = pipeline.get("/events?from=yesterday");
        assertThat(badDate.status()).isEqualTo(400);
        assertThat(badDate.body().path("parameter").asText()).isEqualTo("from");

        Pipeline.Response badSize = pipeline.get("/events?size=0");
        assertThat(badSize.status()).isEqualTo(400);
        assertThat(badSize.body().path("parameter").asText()).isEqualTo("size");

        Pipeline.Response unknown = pipeline.get("/events?colour=blue");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().path("parameter").asText()).isEqualTo("colour");
    }

    private JsonNode awaitOk(String path, java.util.function.Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            Pipeline.Response r = pipeline.get(path);
            last[0] = r.body();
            return r.status() == 200 && condition.test(r.body());
        });
        return last[0];
    }

    private List<CommandResult> awaitResults(int count) {
        @SuppressWarnings("unchecked")
        List<CommandResult>[] last = new List[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = pipeline.results();
            return last[0].size() >= count;
        });
        return last[0];
    }

    /** The partition the raw record went to: the only record in the commands topic with that key. */
    private static int partitionOf(Pipeline pipeline, String key) {
        return pipeline.readAll(pipeline.commandsTopic).stream()
                .filter(r -> key.equals(new String(r.key(), StandardCharsets.UTF_8)))
                .findFirst().orElseThrow().partition();
    }

    private static Optional<String> header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? Optional.empty() : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }
}
