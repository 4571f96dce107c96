package io.eventflow.command.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventflow.payments.PaymentState;
import io.eventflow.eventstore.EventIds;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.RejectionReason;
import io.eventflow.schemas.payment.FailPayment;
import io.eventflow.schemas.payment.ProcessPayment;
import io.eventflow.schemas.payment.RefundPayment;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Component tests (TopologyTestDriver) of issue 11's command contract: event ids that cannot collide,
 * keys and tenants that cannot cross, an answer for every decoded command, bounded state, and a
 * broken store that stops the service instead of dead-lettering.
 */
class CommandContractTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final FlakyRegistry registry = new FlakyRegistry();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(NOW);
    private TopologyTestDriver driver;
    private CommandTopology topology;
    private TestInputTopic<String, CommandEnvelope> commands;
    private TestInputTopic<byte[], CommandEnvelope> keyedCommands;
    private TestOutputTopic<String, EventEnvelope> events;
    private TestOutputTopic<String, CommandResult> results;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    private void start(AggregateHistory history, Idempotency idempotency) {
        var topics = new CommandTopology.Topics("commands", "events", "results", "dlq");
        topology = PaymentsTopology.build(topics, registry, history,
                new CommandTopology.Limits(idempotency, Duration.ofSeconds(30)), clock, metrics);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology.topology(), props);
        commands = driver.createInputTopic("commands", new StringSerializer(), new AvroSerializer<>(registry, true));
        keyedCommands = driver.createInputTopic("commands", new ByteArraySerializer(), new AvroSerializer<>(registry, true));
        events = driver.createOutputTopic("events", new StringDeserializer(), new AvroDeserializer<>(registry, EventEnvelope.class));
        results = driver.createOutputTopic("results", new StringDeserializer(), new AvroDeserializer<>(registry, CommandResult.class));
        deadLetters = driver.createOutputTopic("dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private void start() {
        start(ids -> Map.of(), new Idempotency(Duration.ofDays(1), 100));
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
    }

    private static CommandEnvelope command(String id, String aggregateId, String organizationId, Object payload) {
        return CommandEnvelope.newBuilder()
                .setCommandId(id).setAggregateId(aggregateId).setExpectedVersion(null)
                .setCorrelationId("corr-" + id).setTimestamp(NOW)
                .setMetadata(Metadata.newBuilder().setOrganizationId(organizationId).setUserId("u-1").setExtra(Map.of()).build())
                .setPayload(payload).build();
    }

    private static ProcessPayment process(String paymentId, String org) {
        return new ProcessPayment(paymentId, 500L, "EUR", org, "u-1", null);
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void oneCommandIdOnTwoAggregatesGivesTwoEventsWithTheirOwnIds() {
        start();
        commands.pipeInput("p-1", command("same", "p-1", "org-1", process("p-1", "org-1")));
        commands.pipeInput("p-2", command("same", "p-2", "org-1", process("p-2", "org-1")));

        List<EventEnvelope> all = events.readValuesToList();
        assertThat(all).extracting(EventEnvelope::getEventId).containsExactly(
                EventIds.of("Payment", "p-1", 1), EventIds.of("Payment", "p-2", 1));
        assertThat(all).extracting(EventEnvelope::getCausationId).containsOnly("same");
    }

    @Test
    void aRefundRetriedAfterTheWindowIsANewEventWithItsOwnId() {
        start();
        var refund = command("r-1", "p-1", "org-1", new RefundPayment("p-1", 100L));
        commands.pipeInput("p-1", command("c-1", "p-1", "org-1", process("p-1", "org-1")));
        commands.pipeInput("p-1", refund);
        clock.advance(Duration.ofDays(2));
        commands.pipeInput("p-1", refund);

        List<EventEnvelope> all = events.readValuesToList();
        assertThat(all).extracting(EventEnvelope::getVersion).containsExactly(1L, 2L, 3L);
        assertThat(all).extracting(EventEnvelope::getEventId).doesNotHaveDuplicates();
        assertThat(all.get(2).getEventId()).isEqualTo(EventIds.of("Payment", "p-1", 3));
    }

    @Test
    void aMisKeyedOrUnkeyedCommandIsRefusedWithAResultAndADeadLetterAndNeverApplied() {
        start();
        keyedCommands.pipeInput("p-2".getBytes(StandardCharsets.UTF_8), command("c-1", "p-1", "org-1", process("p-1", "org-1")));
        keyedCommands.pipeInput(null, command("c-2", "p-1", "org-1", process("p-1", "org-1")));
        commands.pipeInput("p-1", command("c-3", "p-1", "org-1", process("p-1", "org-1")));

        List<CommandResult> all = results.readValuesToList();
        assertThat(all).extracting(r -> r.getRejection() == null ? null : r.getRejection().getReason())
                .containsExactly(RejectionReason.KEY_MISMATCH, RejectionReason.KEY_MISMATCH, null);
        assertThat(all.get(0).getCommandId()).isEqualTo("c-1");
        assertThat(all.get(2).getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(all.get(2).getVersion()).isEqualTo(1L);
        List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
        assertThat(letters).hasSize(2);
        assertThat(header(letters.get(0), DeadLetterHeaders.REASON)).startsWith("KEY_MISMATCH");
        assertThat(events.readValuesToList()).hasSize(1);
    }

    @Test
    void aPaymentsOrganizationIsFixedWhenItIsCreated() {
        start();
        commands.pipeInput("p-1", command("c-1", "p-1", "org-2", process("p-1", "org-1")));
        commands.pipeInput("p-1", command("c-2", "p-1", null, process("p-1", "org-1")));
        commands.pipeInput("p-1", command("c-3", "p-1", "org-1", process("p-1", "org-1")));
        commands.pipeInput("p-1", command("c-4", "p-1", "org-2", new RefundPayment("p-1", 100L)));
        commands.pipeInput("p-1", command("c-5", "p-1", null, new FailPayment("p-1", "card declined")));
        commands.pipeInput("p-1", command("c-6", "p-1", "org-1", new RefundPayment("p-1", 100L)));

        List<CommandResult> all = results.readValuesToList();
        assertThat(all).extracting(r -> r.getRejection() == null ? null : r.getRejection().getReason())
                .containsExactly(RejectionReason.TENANT_MISMATCH, RejectionReason.TENANT_MISMATCH, null,
                        RejectionReason.TENANT_MISMATCH, RejectionReason.TENANT_MISMATCH, null);
        assertThat(all.get(3).getRejection().getMessage()).doesNotContain("org-1");
        List<EventEnvelope> written = events.readValuesToList();
        assertThat(written).hasSize(2).allSatisfy(e -> assertThat(e.getMetadata().getOrganizationId()).isEqualTo("org-1"));
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void anotherOrganizationRetryingAKnownCommandIdIsRefusedNotGivenTheFirstResult() {
        start();
        commands.pipeInput("p-1", command("c-1", "p-1", "org-1", process("p-1", "org-1")));
        commands.pipeInput("p-1", command("c-1", "p-1", "org-2", new RefundPayment("p-1", 100L)));
        commands.pipeInput("p-1", command("c-1", "p-1", "org-1", process("p-1", "org-1")));

        List<CommandResult> all = results.readValuesToList();
        assertThat(all.get(0).getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(all.get(1).getRejection().getReason()).isEqualTo(RejectionReason.TENANT_MISMATCH);
        assertThat(all.get(1).getVersion()).isNull();
        assertThat(all.get(2)).isEqualTo(all.get(0));
        assertThat(events.readValuesToList()).hasSize(1);
    }

    @Test
    void idsAndMetadataThatBreakTheContractAreRefusedWithAResult() {
        start();
        String huge = "a".repeat(40_000);
        commands.pipeInput(huge, command("c-1", huge, "org-1", process(huge, "org-1")));
        commands.pipeInput("", command("c-2", "", "org-1", process("", "org-1")));
        commands.pipeInput("p-1", command("c".repeat(15_000), "p-1", "org-1", process("p-1", "org-1")));
        commands.pipeInput("p/1", command("c-4", "p/1", "org-1", process("p/1", "org-1")));
        var badMetadata = command("c-5", "p-1", "org-1", process("p-1", "org-1"));
        badMetadata.getMetadata().setExtra(Map.of("", "empty key"));
        commands.pipeInput("p-1", badMetadata);
        commands.pipeInput("p-1", command("c-6", "p-1", "org-1", process("p-1", "org-1")));

        List<CommandResult> all = results.readValuesToList();
        assertThat(all).hasSize(6);
        assertThat(all.subList(0, 5)).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(CommandStatus.REJECTED);
            assertThat(r.getRejection().getReason()).isEqualTo(RejectionReason.INVALID_ENVELOPE);
        });
        assertThat(all.get(0).getAggregateId()).hasSize(Results.MAX_ECHOED_ID_LENGTH);
        assertThat(all.get(0).getRejection().getMessage()).contains("aggregateId", "40000 bytes").hasSizeLessThan(300);
        assertThat(all.get(2).getCommandId()).hasSize(Results.MAX_ECHOED_ID_LENGTH);
        assertThat(all.get(4).getRejection().getMessage()).contains("metadata.extra has an empty key");
        assertThat(all.get(5).getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(events.readValuesToList()).hasSize(1);
    }

    @Test
    void aTruncatedBodyBehindAValidHeaderIsDeadLetteredAtOnceNotRetried() {
        start();
        byte[] good = new AvroSerializer<CommandEnvelope>(registry, true).serialize("commands",
                command("c-1", "p-1", "org-1", process("p-1", "org-1")));
        var raw = driver.createInputTopic("commands", new ByteArraySerializer(), new ByteArraySerializer());
        raw.pipeInput("p-1".getBytes(StandardCharsets.UTF_8), java.util.Arrays.copyOf(good, good.length - 12));
        commands.pipeInput("p-1", command("c-2", "p-1", "org-1", process("p-1", "org-1")));

        assertThat(header(deadLetters.readRecord(), DeadLetterHeaders.REASON)).contains("cannot decode");
        assertThat(results.readValue().getCommandId()).isEqualTo("c-2");
    }

    @Test
    void aHistoryThatCannotBeLoadedIsAnsweredAndDeadLettered() {
        start(ids -> {
            throw new IllegalStateException("event store history of p-1 has a gap: version 3 after 1");
        }, new Idempotency(Duration.ofDays(1), 100));
        commands.pipeInput("p-1", command("c-1", "p-1", "org-1", new RefundPayment("p-1", 100L)));

        CommandResult r = results.readValue();
        assertThat(r.getRejection().getReason()).isEqualTo(RejectionReason.AGGREGATE_UNAVAILABLE);
        assertThat(r.getRejection().getMessage()).contains("gap");
        assertThat(header(deadLetters.readRecord(), DeadLetterHeaders.REASON)).startsWith("AGGREGATE_UNAVAILABLE");
    }

    @Test
    void anAggregatesStoredStateStaysWithinItsByteBudget() {
        start(ids -> Map.of(), new Idempotency(Duration.ofDays(1), 100, 4096));
        commands.pipeInput("p-1", command("c-0", "p-1", "org-1", new ProcessPayment("p-1", 1_000_000L, "EUR", "org-1", "u-1", null)));
        for (int i = 1; i <= 40; i++) {
            String id = "refund-" + i + "-" + "x".repeat(250);
            commands.pipeInput("p-1", command(id.substring(0, 200), "p-1", "org-1", new RefundPayment("p-1", 1L)));
        }
        KeyValueStore<String, AggregateRecord<PaymentState>> store = driver.getKeyValueStore(PaymentsTopology.STORE);
        AggregateRecord<PaymentState> stored = store.get("p-1");
        assertThat(PaymentsTopology.SERDE.encode(stored).length).isLessThanOrEqualTo(4096);
        assertThat(stored.state().version()).isEqualTo(41);
        assertThat(stored.processed()).isNotEmpty().hasSizeLessThan(41);
        assertThat(results.readValuesToList()).hasSize(41).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(CommandStatus.ACCEPTED));
    }

    @Test
    void aCommandWhoseResultCannotFitTheBudgetIsRefused() {
        start(ids -> Map.of(), new Idempotency(Duration.ofDays(1), 100, 1024));
        String id = "p".repeat(256);
        String org = "o".repeat(256);
        var c = command("c".repeat(256), id, org, new ProcessPayment(id, 5L, "EUR", org, "u".repeat(256), null));
        c.setCorrelationId("r".repeat(256));
        commands.pipeInput(id, c);

        CommandResult r = results.readValue();
        assertThat(r.getRejection().getReason()).isEqualTo(RejectionReason.STATE_LIMIT_EXCEEDED);
        assertThat(events.isEmpty()).isTrue();
        assertThat(driver.<String, AggregateRecord<PaymentState>>getKeyValueStore(PaymentsTopology.STORE).get(id)).isNull();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aStoreValueThatDoesNotDecodeStopsTheServiceAndDeadLettersNothing() {
        start();
        StateStore s = (StateStore) driver.getKeyValueStore(PaymentsTopology.STORE);
        while (s instanceof WrappedStateStore<?, ?, ?> w) {
            s = w.wrapped();
        }
        ((KeyValueStore<Bytes, byte[]>) s).put(Bytes.wrap("p-1".getBytes(StandardCharsets.UTF_8)), new byte[] {42, 1, 2});

        var refund = command("c-1", "p-1", "org-1", new RefundPayment("p-1", 100L));
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> commands.pipeInput("p-1", refund));
        assertThat(thrown).hasStackTraceContaining("state store payment-aggregates failed reading aggregate p-1");
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(results.isEmpty()).isTrue();
        assertThat(topology.onThreadFailure(thrown)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void infrastructureFaultsReplaceTheThreadUntilTheTimeoutThenStopTheService() throws Exception {
        var topics = new CommandTopology.Topics("commands", "events", "results", "dlq");
        var t = PaymentsTopology.build(topics, registry, ids -> Map.<String, PaymentState>of(),
                new CommandTopology.Limits(new Idempotency(Duration.ofDays(1), 100), Duration.ZERO), clock, metrics);
        var fault = new TransientRetry.StillUnavailableException("decoding still failing after 5000 ms: registry down", null);
        assertThat(t.onThreadFailure(fault)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        Thread.sleep(5);
        assertThat(t.onThreadFailure(fault)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }
}
