package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventflow.command.CommandServiceConfig;
import io.eventflow.eventstore.EventIds;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.RejectionReason;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 on the real servers, through the whole pipeline (command-service, projector, API): event
 * ids that cannot collide (part 1), commands that cannot cross aggregates or tenants (part 2), an
 * answer for every command (part 3), bounded state (part 4), one contract for ids and metadata
 * (part 5), and all of it at once with broken records among concurrent producers (part 7).
 */
class CommandContractIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String ORG1_KEY = "it-org-1-key";
    private static final String ORG2_KEY = "it-org-2-key";

    private Pipeline pipeline;

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private List<CommandResult> awaitResults(int count) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(pipeline::results, r -> r.size() >= count);
    }

    private JsonNode awaitHistory(String aggregateId, int events) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(
                () -> pipeline.get("/aggregates/" + aggregateId + "/events").body(),
                b -> b.path("events").size() >= events);
    }

    private List<EventEnvelope> events() {
        return pipeline.eventRecords().stream().map(r -> pipeline.decodeEvent(r.value())).toList();
    }

    private static Map<String, CommandResult> byCommandId(List<CommandResult> results) {
        return results.stream().collect(Collectors.toMap(CommandResult::getCommandId, Function.identity()));
    }

    private static CommandEnvelope withIds(CommandEnvelope c, String commandId) {
        c.setCommandId(commandId);
        return c;
    }

    @Test
    void oneCommandIdOnTwoAggregatesAndARefundRetriedAfterTheWindowAreAllIndexed() throws Exception {
        pipeline = new Pipeline(Map.of(CommandServiceConfig.IDEMPOTENCY_WINDOW_MS, "1500"), "");
        pipeline.send(withIds(Commands.process("pay-a", 10_000, "EUR", "org-1", "u-1", 0L), "same-command"));
        pipeline.send(withIds(Commands.process("pay-b", 20_000, "EUR", "org-1", "u-1", 0L), "same-command"));
        CommandEnvelope refund = withIds(Commands.refund("pay-a", 1_000, "org-1", "u-1", null), "refund-1");
        pipeline.send(refund);
        awaitResults(3);
        // Past the 1.5 s idempotency window the same commandId is a new command.
        await().pollDelay(Duration.ofMillis(2_000)).atMost(Duration.ofSeconds(5)).until(() -> true);
        pipeline.send(refund);

        List<CommandResult> results = awaitResults(4);
        assertThat(results).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(CommandStatus.ACCEPTED));
        assertThat(results).extracting(CommandResult::getVersion).containsExactly(1L, 1L, 2L, 3L);
        List<EventEnvelope> events = events();
        assertThat(events).extracting(EventEnvelope::getEventId).doesNotHaveDuplicates().containsExactlyInAnyOrder(
                EventIds.of("Payment", "pay-a", 1), EventIds.of("Payment", "pay-b", 1),
                EventIds.of("Payment", "pay-a", 2), EventIds.of("Payment", "pay-a", 3));

        JsonNode a = awaitHistory("pay-a", 3);
        assertThat(a.path("events")).extracting(e -> e.path("version").asLong()).containsExactly(1L, 2L, 3L);
        assertThat(a.path("events")).extracting(e -> e.path("causationId").asText())
                .containsExactly("same-command", "refund-1", "refund-1");
        assertThat(a.path("state").path("refundAmount").asLong()).isEqualTo(2_000);
        assertThat(awaitHistory("pay-b", 1).path("events")).hasSize(1);
        JsonNode payment = await().atMost(WAIT).until(() -> pipeline.get("/payments/pay-a").body(),
                p -> p.path("version").asLong() == 3);
        assertThat(payment.path("refundAmount").asLong()).isEqualTo(2_000);
        assertThat(payment.path("refundCount").asLong()).isEqualTo(2);
    }

    @Test
    void misKeyedUnkeyedAndCrossTenantCommandsAreRefusedAndEachTenantSeesOnlyItsOwn() throws Exception {
        pipeline = new Pipeline(Map.of(), ORG1_KEY + ":org-1," + ORG2_KEY + ":org-2");
        pipeline.send(Commands.process("pay-1", 10_000, "EUR", "org-1", "u-1", 0L));
        pipeline.send(Commands.process("pay-2", 20_000, "USD", "org-2", "u-2", 0L));
        awaitResults(2);
        CommandEnvelope misKeyed = Commands.refund("pay-1", 100, "org-1", "u-1", null);
        pipeline.sendRaw("pay-2", pipeline.encode(misKeyed));
        CommandEnvelope unkeyed = Commands.refund("pay-1", 200, "org-1", "u-1", null);
        pipeline.sendRaw(null, pipeline.encode(unkeyed));
        CommandEnvelope crossTenant = Commands.refund("pay-1", 300, "org-2", "u-2", null);
        pipeline.send(crossTenant);
        CommandEnvelope crossTenantFail = Commands.fail("pay-2", "stolen", "org-1", "u-1", null);
        pipeline.send(crossTenantFail);

        Map<String, CommandResult> results = byCommandId(awaitResults(6));
        assertThat(results.get(misKeyed.getCommandId()).getRejection().getReason()).isEqualTo(RejectionReason.KEY_MISMATCH);
        assertThat(results.get(unkeyed.getCommandId()).getRejection().getReason()).isEqualTo(RejectionReason.KEY_MISMATCH);
        assertThat(results.get(crossTenant.getCommandId()).getRejection().getReason())
                .isEqualTo(RejectionReason.TENANT_MISMATCH);
        assertThat(results.get(crossTenantFail.getCommandId()).getRejection().getReason())
                .isEqualTo(RejectionReason.TENANT_MISMATCH);
        List<ConsumerRecord<byte[], byte[]>> letters = pipeline.readAll(pipeline.deadLetterTopic);
        assertThat(letters).hasSize(2).allSatisfy(l -> assertThat(new String(
                l.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8)).startsWith("KEY_MISMATCH"));
        assertThat(events()).hasSize(2);

        awaitHistory("pay-1", 1);
        awaitHistory("pay-2", 1);
        await().atMost(WAIT).until(() -> pipeline.get("/payments?size=10").body().path("total").asLong() == 2);
        for (String[] tenant : new String[][] {{ORG1_KEY, "org-1", "pay-1", "pay-2"}, {ORG2_KEY, "org-2", "pay-2", "pay-1"}}) {
            JsonNode events = pipeline.get("/events?size=100", tenant[0]).body();
            assertThat(events.path("events")).isNotEmpty().allSatisfy(e -> {
                assertThat(e.path("metadata").path("organizationId").asText()).isEqualTo(tenant[1]);
                assertThat(e.path("aggregateId").asText()).isEqualTo(tenant[2]);
            });
            assertThat(pipeline.get("/aggregates/" + tenant[2] + "/events", tenant[0]).body().path("events")).hasSize(1);
            assertThat(pipeline.get("/aggregates/" + tenant[3] + "/events", tenant[0]).status()).isEqualTo(404);
            JsonNode payments = pipeline.get("/payments?size=100", tenant[0]).body();
            assertThat(payments.path("payments")).hasSize(1).allSatisfy(p -> {
                assertThat(p.path("paymentId").asText()).isEqualTo(tenant[2]);
                assertThat(p.path("refundAmount").asLong()).isZero();
                assertThat(p.path("status").asText()).isEqualTo("processed");
            });
            assertThat(pipeline.get("/payments/" + tenant[3], tenant[0]).status()).isEqualTo(404);
        }
    }

    @Test
    void hostileButWellFormedCommandsAreRefusedWithAResultAndTheIndicesAgree() throws Exception {
        pipeline = new Pipeline();
        String huge = "h".repeat(40_000);
        String longPaymentId = "p".repeat(300);
        List<CommandEnvelope> hostile = new ArrayList<>();
        hostile.add(Commands.process("", 100, "EUR", "org-1", "u-1", 0L));
        hostile.add(Commands.process(huge, 100, "EUR", "org-1", "u-1", 0L));
        hostile.add(Commands.process(longPaymentId, 100, "EUR", "org-1", "u-1", 0L));
        CommandEnvelope bigIds = Commands.process("pay-ids", 100, "EUR", "org-1", "u-1", 0L);
        bigIds.setCommandId("c".repeat(15_000));
        bigIds.setCorrelationId("r".repeat(15_000));
        hostile.add(bigIds);
        CommandEnvelope emptyKey = Commands.process("pay-meta", 100, "EUR", "org-1", "u-1", 0L);
        emptyKey.getMetadata().setExtra(Map.of("", "empty key"));
        hostile.add(emptyKey);
        CommandEnvelope dotted = Commands.process("pay-meta", 100, "EUR", "org-1", "u-1", 0L);
        dotted.getMetadata().setExtra(Map.of("source.ip", "10.0.0.1"));
        hostile.add(dotted);
        CommandEnvelope manyKeys = Commands.process("pay-meta", 100, "EUR", "org-1", "u-1", 0L);
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 1_001; i++) {
            many.put("k" + i, "v");
        }
        manyKeys.getMetadata().setExtra(many);
        hostile.add(manyKeys);
        for (CommandEnvelope c : hostile) {
            pipeline.send(c);
        }
        CommandEnvelope good = Commands.process("pay-meta", 100, "EUR", "org-1", "u-1", 0L);
        pipeline.send(good);
        CommandEnvelope goodIds = Commands.process("pay-ids", 100, "EUR", "org-1", "u-1", 0L);
        pipeline.send(goodIds);

        List<CommandResult> results = awaitResults(hostile.size() + 2);
        assertThat(results).hasSize(hostile.size() + 2);
        Map<String, CommandResult> byId = new HashMap<>();
        results.forEach(r -> byId.put(r.getCommandId(), r));
        for (CommandEnvelope c : hostile) {
            String echoed = c.getCommandId().length() > 1024 ? c.getCommandId().substring(0, 1024) : c.getCommandId();
            CommandResult r = byId.get(echoed);
            assertThat(r).as("result of %s", echoed.substring(0, Math.min(40, echoed.length()))).isNotNull();
            assertThat(r.getRejection().getReason()).isEqualTo(RejectionReason.INVALID_ENVELOPE);
            assertThat(r.getRejection().getMessage()).hasSizeLessThan(400);
        }
        assertThat(byId.get(good.getCommandId()).getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(byId.get(goodIds.getCommandId()).getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(pipeline.readAll(pipeline.deadLetterTopic)).isEmpty();
        assertThat(events()).extracting(EventEnvelope::getAggregateId).containsExactlyInAnyOrder("pay-meta", "pay-ids");

        // Event store and read model agree: both accepted payments in both, nothing dead-lettered by the projector.
        awaitHistory("pay-meta", 1);
        awaitHistory("pay-ids", 1);
        JsonNode payments = await().atMost(WAIT).until(() -> pipeline.get("/payments?size=100").body(),
                b -> b.path("total").asLong() >= 2);
        assertThat(payments.path("payments")).extracting(p -> p.path("paymentId").asText())
                .containsExactlyInAnyOrder("pay-meta", "pay-ids");
        assertThat(pipeline.get("/events?size=100").body().path("total").asLong()).isEqualTo(2);
        assertThat(pipeline.readAll("it-" + pipeline.id + "-events-dlq")).isEmpty();
    }

    @Test
    void fortyRefundsWithLargeIdsKeepTheAggregateBoundedAndItsPartitionGoing() throws Exception {
        pipeline = new Pipeline();
        pipeline.send(Commands.process("pay-big", 1_000_000, "EUR", "org-1", "u-1", 0L));
        for (int i = 0; i < 40; i++) {
            CommandEnvelope refund = Commands.refund("pay-big", 1, "org-1", "u-1", null);
            refund.setCommandId(("refund-" + i + "-").concat("x".repeat(256)).substring(0, 256));
            refund.setCorrelationId(("corr-" + i + "-").concat("y".repeat(256)).substring(0, 256));
            pipeline.send(refund);
        }
        pipeline.send(Commands.refund("pay-big", 5, "org-1", "u-1", 41L));

        List<CommandResult> results = awaitResults(42);
        assertThat(results).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(CommandStatus.ACCEPTED));
        assertThat(results.get(41).getVersion()).isEqualTo(42L);
        assertThat(awaitHistory("pay-big", 42).path("events")).hasSize(42);
    }

    @Test
    void brokenRecordsAmongGoodCommandsFromConcurrentProducersAreRefusedOrDeadLetteredAndGoodOnesAnsweredInOrder()
            throws Exception {
        pipeline = new Pipeline();
        int producers = 4;
        int aggregatesPerProducer = 10;
        int refundsPerAggregate = 3;
        byte[] template = pipeline.encode(Commands.process("pay-template", 100, "EUR", "org-1", "u-1", 0L));
        int unknownId = deletedSchemaId();
        byte[] otherSchema = new AvroSerializer<CommandResult>(pipeline.registry(), true).serialize(
                "it-" + pipeline.id + "-other", CommandResult.newBuilder().setCommandId("x").setAggregateId("pay-x")
                        .setCorrelationId("x").setStatus(CommandStatus.ACCEPTED).setVersion(1L)
                        .setTimestamp(java.time.Instant.now()).build());

        // Undecodable: dead letter only. Decodable but refused: a result (and for mis-keyed, a dead letter too).
        Map<String, byte[]> undecodable = new TreeMap<>();
        undecodable.put("not-avro", "this is not avro".getBytes(StandardCharsets.UTF_8));
        undecodable.put("empty", new byte[0]);
        undecodable.put("unknown-schema-id", BrokenRecords.withSchemaId(unknownId, new byte[] {2, 'a'}));
        undecodable.put("truncated", Arrays.copyOf(template, template.length - 12));
        undecodable.put("length-past-end", BrokenRecords.lengthPrefix(template, 100));
        undecodable.put("huge-length", BrokenRecords.lengthPrefix(template, 1_900_000_000L));
        undecodable.put("other-schema", otherSchema);
        List<CommandEnvelope> refused = java.util.Collections.synchronizedList(new ArrayList<>());

        ExecutorService pool = Executors.newFixedThreadPool(producers + 1);
        Map<String, List<String>> sentInOrder = new ConcurrentHashMap<>();
        List<Future<?>> done = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            done.add(pool.submit(() -> {
                for (int step = 0; step <= refundsPerAggregate; step++) {
                    for (int a = 0; a < aggregatesPerProducer; a++) {
                        String id = "pay-" + producer + "-" + a;
                        CommandEnvelope c = step == 0 ? Commands.process(id, 1_000, "EUR", "org-" + producer, "u-1", 0L)
                                : Commands.refund(id, 10, "org-" + producer, "u-1", (long) step);
                        sentInOrder.computeIfAbsent(id, k -> new ArrayList<>()).add(c.getCommandId());
                        pipeline.send(c);
                    }
                }
                return null;
            }));
        }
        done.add(pool.submit(() -> {
            for (var e : undecodable.entrySet()) {
                pipeline.sendRaw("pay-0-" + e.getKey(), e.getValue());
            }
            pipeline.sendRaw("pay-0-null", null);
            CommandEnvelope misKeyed = Commands.refund("pay-1-1", 10, "org-1", "u-1", null);
            refused.add(misKeyed);
            pipeline.sendRaw("pay-2-2", pipeline.encode(misKeyed));
            CommandEnvelope oversized = Commands.process("o".repeat(40_000), 10, "EUR", "org-1", "u-1", 0L);
            refused.add(oversized);
            pipeline.send(oversized);
            return null;
        }));
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        // After its payment exists, so the refusal is about the tenant, not a missing payment.
        CommandEnvelope crossTenant = Commands.refund("pay-2-3", 10, "org-3", "u-1", null);
        refused.add(1, crossTenant);
        pipeline.send(crossTenant);

        int good = producers * aggregatesPerProducer * (refundsPerAggregate + 1);
        List<CommandResult> results = awaitResults(good + refused.size());
        await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> pipeline.results().size() == good + refused.size());
        results = pipeline.results();
        Map<String, Long> answers = results.stream().collect(Collectors.groupingBy(CommandResult::getCommandId,
                Collectors.counting()));
        assertThat(answers.values()).as("one answer per command").containsOnly(1L);
        Map<String, CommandResult> byId = results.stream().collect(Collectors.toMap(CommandResult::getCommandId,
                Function.identity()));
        sentInOrder.forEach((aggregate, commandIds) -> {
            for (int i = 0; i < commandIds.size(); i++) {
                CommandResult r = byId.get(commandIds.get(i));
                assertThat(r).as("result of command %d of %s", i, aggregate).isNotNull();
                assertThat(r.getStatus()).as("command %d of %s: %s", i, aggregate, r.getRejection()).isEqualTo(CommandStatus.ACCEPTED);
                assertThat(r.getVersion()).isEqualTo(i + 1L);
            }
        });
        assertThat(byId.get(refused.get(0).getCommandId()).getRejection().getReason()).isEqualTo(RejectionReason.KEY_MISMATCH);
        assertThat(byId.get(refused.get(1).getCommandId()).getRejection().getReason()).isEqualTo(RejectionReason.TENANT_MISMATCH);
        assertThat(byId.get(refused.get(2).getCommandId()).getRejection().getReason()).isEqualTo(RejectionReason.INVALID_ENVELOPE);

        List<ConsumerRecord<byte[], byte[]>> letters = pipeline.readAll(pipeline.deadLetterTopic);
        Set<String> letterKeys = letters.stream().map(l -> l.key() == null ? "null" : new String(l.key(), StandardCharsets.UTF_8))
                .collect(Collectors.toSet());
        assertThat(letterKeys).as("every undecodable record and the mis-keyed one are dead-lettered").containsExactlyInAnyOrder(
                "pay-0-not-avro", "pay-0-empty", "pay-0-unknown-schema-id", "pay-0-truncated", "pay-0-length-past-end",
                "pay-0-huge-length", "pay-0-other-schema", "pay-0-null", "pay-2-2");
        // Events per aggregate: versions 1..n in topic order, each once.
        Map<String, List<Long>> versions = new HashMap<>();
        for (EventEnvelope e : events()) {
            versions.computeIfAbsent(e.getAggregateId(), k -> new ArrayList<>()).add(e.getVersion());
        }
        assertThat(versions).hasSize(producers * aggregatesPerProducer);
        versions.forEach((id, v) -> assertThat(v).as(id).containsExactly(1L, 2L, 3L, 4L));
        assertThat(pipeline.commandService().state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    /**
     * The id of a schema that existed in the registry and was deleted while a later one stays: an
     * isolated "schema not found" within the ids the registry has reached, so bad data, not a
     * wrong or emptied registry.
     */
    private int deletedSchemaId() throws Exception {
        String doomed = "it-" + pipeline.id + "-scratch-value";
        int id = registerScratch(doomed, "Deleted");
        registerScratch("it-" + pipeline.id + "-scratch-kept-value", "Kept");
        delete("/subjects/" + doomed);
        delete("/subjects/" + doomed + "?permanent=true");
        HttpResponse<String> gone = HTTP.send(HttpRequest.newBuilder(URI.create(registryBase() + "/schemas/ids/" + id)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(gone.statusCode()).as("schema %d deleted: %s", id, gone.body()).isEqualTo(404);
        return id;
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String registryBase() {
        return TestServers.get().schemaRegistry().replaceAll("/$", "");
    }

    private int registerScratch(String subject, String name) throws Exception {
        String record = name + pipeline.id.replace("-", "");
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(registryBase() + "/subjects/" + subject
                        + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\""
                        + record + "\\\",\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"string\\\"}]}\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        return Pipeline.JSON.readTree(created.body()).path("id").asInt();
    }

    private static void delete(String path) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(registryBase() + path)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
