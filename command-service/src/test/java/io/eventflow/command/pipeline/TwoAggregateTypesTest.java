package io.eventflow.command.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventflow.eventstore.EventIds;
import io.eventflow.payments.PaymentState;
import io.eventflow.payments.Payments;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.RejectionReason;
import io.eventflow.schemas.payment.ProcessPayment;
import io.eventflow.schemas.payment.RefundPayment;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.AvroSerializer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Payments and the test-only {@link Tally} type side by side in one topology: each has its own
 * topics, store and envelopes, the same id in both is two aggregates, and a command on one type's
 * topic that names the other is refused.
 */
class TwoAggregateTypesTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final CommandTopology.Topics PAYMENT_TOPICS = new CommandTopology.Topics("payment-commands",
            "payment-events", "payment-command-results", "payment-commands-dlq");
    private static final CommandTopology.Topics TALLY_TOPICS = new CommandTopology.Topics("tally-commands",
            "tally-events", "tally-command-results", "tally-commands-dlq");
    private final FlakyRegistry registry = new FlakyRegistry();
    private final MutableClock clock = new MutableClock(NOW);
    private Topology topology;
    private TopologyTestDriver driver;
    private TestInputTopic<String, CommandEnvelope> payments;
    private TestInputTopic<String, TallyCommandEnvelope> tallies;
    private TestOutputTopic<String, CommandResult> paymentResults;
    private TestOutputTopic<String, CommandResult> tallyResults;
    private TestOutputTopic<String, EventEnvelope> paymentEvents;
    private TestOutputTopic<String, TallyEventEnvelope> tallyEvents;
    private TestOutputTopic<byte[], byte[]> tallyDeadLetters;

    private static CommandTopology build(FlakyRegistry registry, MutableClock clock, CommandTopology.Topics tallyTopics) {
        return CommandTopology.build(List.of(
                new CommandTopology.Route<>(Payments.TYPE, PAYMENT_TOPICS, ids -> Map.<String, PaymentState>of()),
                new CommandTopology.Route<>(Tally.TYPE, tallyTopics, ids -> Map.<String, Tally.State>of())),
                registry, new CommandTopology.Limits(new Idempotency(Duration.ofDays(1), 100), Duration.ofMinutes(5)),
                clock, new SimpleMeterRegistry());
    }

    @BeforeEach
    void setUp() {
        topology = build(registry, clock, TALLY_TOPICS).topology();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology, props);
        payments = driver.createInputTopic("payment-commands", new StringSerializer(), new AvroSerializer<>(registry, true));
        tallies = driver.createInputTopic("tally-commands", new StringSerializer(), new AvroSerializer<>(registry, true));
        paymentResults = driver.createOutputTopic("payment-command-results", new StringDeserializer(),
                new AvroDeserializer<>(registry, CommandResult.class));
        tallyResults = driver.createOutputTopic("tally-command-results", new StringDeserializer(),
                new AvroDeserializer<>(registry, CommandResult.class));
        paymentEvents = driver.createOutputTopic("payment-events", new StringDeserializer(),
                new AvroDeserializer<>(registry, EventEnvelope.class));
        tallyEvents = driver.createOutputTopic("tally-events", new StringDeserializer(),
                new AvroDeserializer<>(registry, TallyEventEnvelope.class));
        tallyDeadLetters = driver.createOutputTopic("tally-commands-dlq", new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private static CommandEnvelope command(String id, String aggregateId, Object payload) {
        return CommandEnvelope.newBuilder()
                .setCommandId(id).setAggregateId(aggregateId).setCorrelationId("corr-" + id).setTimestamp(NOW)
                .setMetadata(Metadata.newBuilder().setOrganizationId("org-1").setUserId("u-1").setExtra(Map.of()).build())
                .setPayload(payload).build();
    }

    @Test
    void eachTypeHasItsOwnSubTopologyNodesAndStore() {
        var description = topology.describe();
        assertThat(description.subtopologies()).hasSize(2);
        assertThat(description.toString()).contains("payment-decide", "tally-decide", "payment-aggregates",
                "tally-aggregates");
    }

    @Test
    void theSameIdInTwoTypesIsTwoAggregates() {
        payments.pipeInput("x-1", command("c-1", "x-1", new ProcessPayment("x-1", 500L, "EUR", "org-1", "u-1", null)));
        tallies.pipeInput("x-1", Tally.envelope(command("c-1", "x-1", new ProcessPayment("x-1", 7L, "EUR", "org-1", "u-1", null)),
                "Tally"));
        tallies.pipeInput("x-1", Tally.envelope(command("c-2", "x-1", new RefundPayment("x-1", 5L)), "Tally"));

        CommandResult payment = paymentResults.readValue();
        assertThat(payment.getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(payment.getAggregateType()).isEqualTo("Payment");
        assertThat(tallyResults.readValuesToList()).extracting(CommandResult::getVersion).containsExactly(1L, 2L);
        assertThat(paymentEvents.readValuesToList()).extracting(EventEnvelope::getEventId)
                .containsExactly(EventIds.of("Payment", "x-1", 1));
        var tallyOut = tallyEvents.readValuesToList();
        assertThat(tallyOut).extracting(EventEnvelope::getEventId)
                .containsExactly(EventIds.of("Tally", "x-1", 1), EventIds.of("Tally", "x-1", 2));
        assertThat(tallyOut).allSatisfy(e -> assertThat(e.getAggregateType()).isEqualTo("Tally"));
        assertThat(tallyOut.get(1).getEventType()).isEqualTo("PaymentRefunded");
        assertThat(driver.<String, AggregateRecord<Tally.State>>getKeyValueStore("tally-aggregates").get("x-1").state())
                .isEqualTo(new Tally.State("x-1", "org-1", 12, 2));
        assertThat(driver.<String, AggregateRecord<PaymentState>>getKeyValueStore("payment-aggregates").get("x-1")
                .state().amount()).isEqualTo(500L);
    }

    @Test
    void aTypesOwnRejectionCodeTravelsAsAggregateRule() {
        tallies.pipeInput("t-1", Tally.envelope(command("c-1", "t-1", new RefundPayment("t-1", 5L)), "Tally"));

        CommandResult r = tallyResults.readValue();
        assertThat(r.getRejection().getReason()).isEqualTo(RejectionReason.AGGREGATE_RULE);
        assertThat(r.getRejection().getCode()).isEqualTo("TALLY_NOT_FOUND");
        assertThat(r.getAggregateType()).isEqualTo("Tally");
    }

    @Test
    void aPaymentCommandSentToTheTallyTopicIsRefused() {
        tallies.pipeInput("x-1", Tally.envelope(command("c-1", "x-1", new ProcessPayment("x-1", 7L, "EUR", "org-1", "u-1", null)),
                "Payment"));

        assertThat(tallyResults.readValue().getRejection().getReason()).isEqualTo(RejectionReason.WRONG_AGGREGATE_TYPE);
        assertThat(tallyDeadLetters.isEmpty()).isFalse();
        assertThat(tallyEvents.isEmpty()).isTrue();
        assertThat(paymentResults.isEmpty()).isTrue();
    }

    @Test
    void twoTypesCannotShareATopic() {
        var clash = new CommandTopology.Topics("tally-commands", "payment-events", "tally-command-results",
                "tally-commands-dlq");
        assertThatThrownBy(() -> build(registry, clock, clash)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payment-events");
    }
}
