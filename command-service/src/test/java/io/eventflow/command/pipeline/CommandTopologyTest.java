package io.eventflow.command.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.eventflow.eventstore.LogContext;
import io.eventflow.payments.PaymentState;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.RejectionReason;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.ProcessPayment;
import io.eventflow.schemas.payment.RefundPayment;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.AvroSerializer;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Component test of the command topology with Kafka's TopologyTestDriver; the event store is empty. */
class CommandTopologyTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final FlakyRegistry registry = new FlakyRegistry();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(NOW);
    private AggregateHistory<PaymentState> history = ids -> Map.of();
    private TopologyTestDriver driver;
    private TestInputTopic<String, CommandEnvelope> commands;
    private TestInputTopic<byte[], byte[]> rawCommands;
    private TestOutputTopic<String, EventEnvelope> events;
    private TestOutputTopic<String, CommandResult> results;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void setUp() {
        var topics = new CommandTopology.Topics("commands", "events", "results", "dlq");
        var topology = PaymentsTopology.build(topics, registry, history,
                new Idempotency(Duration.ofDays(1), 100), clock, metrics).topology();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology, props);
        commands = driver.createInputTopic("commands", new StringSerializer(), new AvroSerializer<>(registry, true));
        rawCommands = driver.createInputTopic("commands", new ByteArraySerializer(), new ByteArraySerializer());
        events = driver.createOutputTopic("events", new StringDeserializer(), new AvroDeserializer<>(registry, EventEnvelope.class));
        results = driver.createOutputTopic("results", new StringDeserializer(), new AvroDeserializer<>(registry, CommandResult.class));
        deadLetters = driver.createOutputTopic("dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private static CommandEnvelope command(String id, Long expectedVersion, Object payload) {
        return CommandEnvelope.newBuilder()
                .setCommandId(id).setAggregateId("p-1").setExpectedVersion(expectedVersion)
                .setCorrelationId("corr-" + id).setTimestamp(NOW)
                .setMetadata(Metadata.newBuilder().setOrganizationId("org-1").setUserId("u-1").setExtra(Map.of()).build())
                .setPayload(payload).build();
    }

    @Test
    void anAcceptedCommandPublishesItsEventAndResult() {
        commands.pipeInput("p-1", command("c-1", 0L, new ProcessPayment("p-1", 500L, "EUR", "org-1", "u-1", null)));

        var event = events.readKeyValue();
        assertThat(event.key).isEqualTo("p-1");
        assertThat(event.value.getVersion()).isEqualTo(1);
        assertThat(event.value.getCausationId()).isEqualTo("c-1");
        assertThat(event.value.getCorrelationId()).isEqualTo("corr-c-1");
        assertThat(event.value.getPayload()).isEqualTo(new PaymentProcessed("p-1", 500L, "EUR", "org-1", "u-1", null));
        CommandResult result = results.readValue();
        assertThat(result.getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(result.getVersion()).isEqualTo(1L);
    }

    @Test
    void aStaleExpectedVersionIsRejectedWithBothVersions() {
        commands.pipeInput("p-1", command("c-1", 0L, new ProcessPayment("p-1", 500L, "EUR", "org-1", "u-1", null)));
        commands.pipeInput("p-1", command("c-2", 0L, new RefundPayment("p-1", 100L)));

        assertThat(events.readValuesToList()).hasSize(1);
        var all = results.readValuesToList();
        CommandResult rejected = all.get(1);
        assertThat(rejected.getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(rejected.getRejection().getReason()).isEqualTo(RejectionReason.CONCURRENCY_CONFLICT);
        assertThat(rejected.getRejection().getExpectedVersion()).isEqualTo(0L);
        assertThat(rejected.getRejection().getActualVersion()).isEqualTo(1L);
    }

    @Test
    void undecodableBytesAreDeadLetteredAndTheNextCommandIsProcessed() {
        rawCommands.pipeInput(new TestRecord<>("p-1".getBytes(StandardCharsets.UTF_8), "garbage".getBytes(StandardCharsets.UTF_8)));
        commands.pipeInput("p-1", command("c-1", null, new ProcessPayment("p-1", 500L, "EUR", "org-1", "u-1", null)));

        TestRecord<byte[], byte[]> letter = deadLetters.readRecord();
        assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("garbage");
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.SOURCE_TOPIC).value(), StandardCharsets.UTF_8))
                .isEqualTo("commands");
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.SOURCE_OFFSET).value(), StandardCharsets.UTF_8))
                .isEqualTo("0");
        assertThat(results.readValue().getStatus()).isEqualTo(CommandStatus.ACCEPTED);
    }

    @Test
    void theLinesAboutACommandCarryItsRecordAndCommandIdOnlyWhileItIsHandled() {
        var lines = new ListAppender<ILoggingEvent>();
        var root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        lines.start();
        root.addAppender(lines);
        try {
            commands.pipeInput("p-1", command("c-1", 0L, new ProcessPayment("p-1", 500L, "EUR", "org-1", "u-1", null)));
            commands.pipeInput("p-1", command("c-2", 0L, new RefundPayment("p-1", 100L)));
            rawCommands.pipeInput(new TestRecord<>("p-1".getBytes(StandardCharsets.UTF_8),
                    "garbage".getBytes(StandardCharsets.UTF_8)));
        } finally {
            root.detachAppender(lines);
        }

        assertThat(lines.list).filteredOn(l -> l.getFormattedMessage().startsWith("command c-2 (RefundPayment)"))
                .singleElement().satisfies(l -> assertThat(l.getMDCPropertyMap()).containsExactlyInAnyOrderEntriesOf(
                        Map.of(LogContext.TOPIC, "commands", LogContext.PARTITION, "0", LogContext.OFFSET, "1",
                                LogContext.COMMAND_ID, "c-2")));
        assertThat(lines.list).filteredOn(l -> l.getFormattedMessage().startsWith("dead-lettered record commands-0@2"))
                .singleElement().satisfies(l -> assertThat(l.getMDCPropertyMap()).containsExactlyInAnyOrderEntriesOf(
                        Map.of(LogContext.TOPIC, "commands", LogContext.PARTITION, "0", LogContext.OFFSET, "2")));
        assertThat(MDC.getCopyOfContextMap()).as("nothing left on the stream thread").isNullOrEmpty();
    }

    @Test
    void aRetriedCommandIdTakesEffectOnceAndEveryRetryGetsTheFirstResult() {
        var process = command("c-1", 0L, new ProcessPayment("p-1", 500L, "EUR", "org-1", "u-1", null));
        commands.pipeInput("p-1", process);
        clock.advance(Duration.ofSeconds(5));
        commands.pipeInput("p-1", process);
        commands.pipeInput("p-1", process);

        assertThat(events.readValuesToList()).hasSize(1);
        var all = results.readValuesToList();
        assertThat(all).hasSize(3).allSatisfy(r -> assertThat(r).isEqualTo(all.get(0)));
        assertThat(all.get(0).getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(metrics.counter("eventflow.commands.duplicates").count()).isEqualTo(2);
    }

    @Test
    void aRetriedRejectedCommandGetsTheSameRejectionEvenAfterTheAggregateMoved() {
        var refund = command("c-2", 0L, new RefundPayment("p-1", 100L));
        commands.pipeInput("p-1", refund);
        commands.pipeInput("p-1", command("c-1", 0L, new ProcessPayment("p-1", 500L, "EUR", "org-1", "u-1", null)));
        commands.pipeInput("p-1", refund);

        var all = results.readValuesToList();
        assertThat(all.get(0).getRejection().getReason()).isEqualTo(RejectionReason.PAYMENT_NOT_FOUND);
        assertThat(all.get(2)).isEqualTo(all.get(0));
    }

    @Test
    void aCommandIdOlderThanTheWindowIsHandledAsNew() {
        var process = command("c-1", null, new ProcessPayment("p-1", 500L, "EUR", "org-1", "u-1", null));
        commands.pipeInput("p-1", process);
        clock.advance(Duration.ofDays(2));
        commands.pipeInput("p-1", command("c-x", null, new RefundPayment("p-1", 1L)));
        commands.pipeInput("p-1", process);

        var all = results.readValuesToList();
        assertThat(all.get(2).getRejection().getReason()).isEqualTo(RejectionReason.ALREADY_PROCESSED);
    }

    @Test
    void aCommandNamingAnotherAggregateTypeIsRefusedAndDeadLetteredWithoutTouchingTheAggregate() {
        commands.pipeInput("p-1", command("c-1", null, new ProcessPayment("p-1", 500L, "EUR", "org-1", "u-1", null)));
        var order = command("c-2", null, new RefundPayment("p-1", 100L));
        order.setAggregateType("Order");
        commands.pipeInput("p-1", order);

        var all = results.readValuesToList();
        CommandResult refused = all.get(1);
        assertThat(refused.getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(refused.getRejection().getReason()).isEqualTo(RejectionReason.WRONG_AGGREGATE_TYPE);
        assertThat(refused.getRejection().getCode()).isEqualTo("WRONG_AGGREGATE_TYPE");
        assertThat(refused.getRejection().getMessage()).contains("'Order'", "'Payment'");
        assertThat(refused.getAggregateType()).isEqualTo("Payment");
        assertThat(events.readValuesToList()).hasSize(1);
        TestRecord<byte[], byte[]> letter = deadLetters.readRecord();
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                .contains("WRONG_AGGREGATE_TYPE");
        assertThat(driver.<String, AggregateRecord<PaymentState>>getKeyValueStore(PaymentsTopology.STORE).get("p-1")
                .state().refundedTotal()).isZero();
    }

    @Test
    void resultsNameTheirAggregateTypeAndCarryTheRejectionCode() {
        commands.pipeInput("p-1", command("c-1", null, new RefundPayment("p-1", 100L)));

        CommandResult r = results.readValue();
        assertThat(r.getAggregateType()).isEqualTo("Payment");
        assertThat(r.getRejection().getReason()).isEqualTo(RejectionReason.PAYMENT_NOT_FOUND);
        assertThat(r.getRejection().getCode()).isEqualTo("PAYMENT_NOT_FOUND");
    }

    @Test
    void aPayloadForAnotherAggregateIsRejectedAsInvalid() {
        commands.pipeInput("p-1", command("c-1", null, new ProcessPayment("p-2", 500L, "EUR", "org-1", "u-1", null)));

        CommandResult r = results.readValue();
        assertThat(r.getRejection().getReason()).isEqualTo(RejectionReason.INVALID_COMMAND);
        assertThat(events.isEmpty()).isTrue();
    }

    @Test
    void anIsolatedUnknownSchemaIdIsDeadLettered() {
        // Registered ids are 1 and up; 0 is below the subject's latest id, so the registry has
        // "reached" it and this is one bad record, not a wrong or emptied registry.
        commands.pipeInput("p-1", command("c-0", null, new ProcessPayment("p-1", 500L, "EUR", "org-1", "u-1", null)));
        results.readValue();
        byte[] unknownId = {0, 0, 0, 0, 0, 1, 2, 3};
        rawCommands.pipeInput(new TestRecord<>("p-1".getBytes(StandardCharsets.UTF_8), unknownId));

        TestRecord<byte[], byte[]> letter = deadLetters.readRecord();
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                .contains("schema id");
        assertThat(results.isEmpty()).isTrue();
    }

    @Test
    void anUnreachableRegistryIsRetriedNotDeadLettered() {
        registry.unavailableReads.set(3);
        commands.pipeInput("p-1", command("c-1", null, new ProcessPayment("p-1", 500L, "EUR", "org-1", "u-1", null)));

        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(results.readValue().getStatus()).isEqualTo(CommandStatus.ACCEPTED);
    }

    @Test
    void aRegistryThatStaysUnreachableFailsTheTaskAndDeadLettersNothing() {
        registry.unavailableReads.set(Integer.MAX_VALUE);
        var process = command("c-1", null, new ProcessPayment("p-1", 500L, "EUR", "org-1", "u-1", null));

        assertThatThrownBy(() -> commands.pipeInput("p-1", process)).hasStackTraceContaining("still failing");
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(results.isEmpty()).isTrue();
    }

    @Test
    void anAggregateKnownOnlyToTheEventStoreIsCheckedAgainstItsVersion() {
        history = ids -> Map.of("p-1", PaymentsTopology.state("p-1", PaymentState.Status.PROCESSED, 500, "EUR", "org-1", "u-1", 0, 3));
        tearDown();
        setUp();
        commands.pipeInput("p-1", command("c-1", 1L, new RefundPayment("p-1", 100L)));
        commands.pipeInput("p-1", command("c-2", 3L, new RefundPayment("p-1", 100L)));

        var all = results.readValuesToList();
        assertThat(all.get(0).getRejection().getActualVersion()).isEqualTo(3L);
        assertThat(all.get(1).getVersion()).isEqualTo(4L);
    }
}
