package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventflow.eventstore.EventIds;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.RejectionReason;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.DeadLetterHeaders;
import io.eventflow.schemas.workflow.StepFailed;
import io.eventflow.schemas.workflow.WorkflowCommandEnvelope;
import io.eventflow.schemas.workflow.WorkflowEventEnvelope;
import io.eventflow.schemas.workflow.WorkflowFailed;
import io.eventflow.schemas.workflow.WorkflowStarted;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The workflow aggregate type on the command side, against the real servers: one command-service
 * (payments and workflows wired, as shipped) on topics of its own, shared by the tests, each test
 * on workflow ids of its own. The projector and the API are not involved (see WorkflowPipelineIT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkflowCommandsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private CommandCluster cluster;
    private KafkaProducer<String, WorkflowCommandEnvelope> workflows;
    private KafkaProducer<String, CommandEnvelope> payments;

    @BeforeAll
    void start() throws Exception {
        cluster = new CommandCluster();
        cluster.start(cluster.applicationId());
        workflows = cluster.workflowProducer();
        payments = cluster.producer();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void send(WorkflowCommandEnvelope command) throws Exception {
        workflows.send(new ProducerRecord<>(cluster.workflowCommandsTopic, command.getAggregateId(), command)).get();
    }

    /** The workflow results of {@code workflowId} in order, once there are {@code count}. */
    private List<CommandResult> awaitResults(String workflowId, int count) {
        return awaitOf(cluster::workflowResults, workflowId, count);
    }

    private static List<CommandResult> awaitOf(Supplier<List<CommandResult>> all, String aggregateId, int count) {
        List<CommandResult> results = await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> all.get().stream().filter(r -> r.getAggregateId().equals(aggregateId)).toList(),
                        r -> r.size() >= count);
        assertThat(results).as("results of %s", aggregateId).hasSize(count);
        return results;
    }

    private List<WorkflowEventEnvelope> events(String workflowId) {
        return cluster.workflowEvents().stream().filter(e -> e.getAggregateId().equals(workflowId)).toList();
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    }

    private static void assertRule(CommandResult r, String code) {
        assertThat(r.getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(r.getVersion()).isNull();
        assertThat(r.getAggregateType()).isEqualTo("Workflow");
        assertThat(r.getRejection().getReason()).isEqualTo(RejectionReason.AGGREGATE_RULE);
        assertThat(r.getRejection().getCode()).isEqualTo(code);
    }

    @Test
    void aRunIsAcceptedWithVersionsOneToNAndItsEventsAreOnTheWorkflowEventsTopic() throws Exception {
        String id = "wf-run";
        List<WorkflowCommandEnvelope> run = List.of(
                WorkflowCommands.start(id, "nightly import", "org-1", "u-1", 0L),
                WorkflowCommands.startStep(id, "fetch", "org-1", "u-1", 1L),
                WorkflowCommands.completeStep(id, "fetch", 1_200, "org-1", "u-1", 2L),
                WorkflowCommands.startStep(id, "transform", "org-1", "u-1", 3L),
                WorkflowCommands.failStep(id, "transform", 300, "schema mismatch", "org-1", "u-1", 4L),
                WorkflowCommands.fail(id, "transform failed", "org-1", "u-1", 5L));
        for (WorkflowCommandEnvelope c : run) {
            send(c);
        }

        List<CommandResult> results = awaitResults(id, run.size());
        assertThat(results).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(CommandStatus.ACCEPTED);
            assertThat(r.getAggregateType()).isEqualTo("Workflow");
            assertThat(r.getRejection()).isNull();
        });
        assertThat(results).extracting(CommandResult::getVersion).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(results).extracting(CommandResult::getCommandId)
                .containsExactlyElementsOf(run.stream().map(WorkflowCommandEnvelope::getCommandId).toList());

        List<WorkflowEventEnvelope> events = events(id);
        assertThat(events).extracting(WorkflowEventEnvelope::getEventType).containsExactly("WorkflowStarted",
                "StepStarted", "StepCompleted", "StepStarted", "StepFailed", "WorkflowFailed");
        assertThat(events).extracting(WorkflowEventEnvelope::getVersion).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        for (int i = 0; i < events.size(); i++) {
            WorkflowEventEnvelope e = events.get(i);
            assertThat(e.getAggregateType()).isEqualTo("Workflow");
            assertThat(e.getEventId()).isEqualTo(EventIds.of("Workflow", id, i + 1));
            assertThat(e.getCausationId()).isEqualTo(run.get(i).getCommandId());
            assertThat(e.getCorrelationId()).isEqualTo(run.get(i).getCorrelationId());
            assertThat(e.getMetadata().getOrganizationId()).isEqualTo("org-1");
        }
        assertThat(events.get(0).getPayload()).isEqualTo(new WorkflowStarted(id, "org-1", "u-1", "nightly import"));
        assertThat(events.get(4).getPayload()).isEqualTo(new StepFailed(id, "transform", 300L, "schema mismatch"));
        assertThat(events.get(5).getPayload()).isEqualTo(new WorkflowFailed(id, "transform failed"));
        // Nothing of it on the payments' topics.
        assertThat(cluster.results()).noneMatch(r -> r.getAggregateId().equals(id));
        assertThat(cluster.readAll(cluster.eventsTopic)).noneMatch(rec -> id.equals(key(rec)));
    }

    @Test
    void theWorkflowRulesRefuseWithTheirCodesAndWriteNoEvent() throws Exception {
        String id = "wf-rules";
        send(WorkflowCommands.start(id, "report", "org-1", "u-1", null));
        send(WorkflowCommands.startStep(id, "a", "org-1", "u-1", null));
        send(WorkflowCommands.completeStep(id, "a", 10, "org-1", "u-1", null));
        send(WorkflowCommands.startStep(id, "a", "org-1", "u-1", null));
        send(WorkflowCommands.completeStep(id, "b", 10, "org-1", "u-1", null));
        send(WorkflowCommands.completeStep(id, "a", -1, "org-1", "u-1", null));
        send(WorkflowCommands.start(id, "report again", "org-1", "u-1", null));
        send(WorkflowCommands.complete(id, "org-1", "u-1", null));
        send(WorkflowCommands.startStep(id, "b", "org-1", "u-1", null));
        send(WorkflowCommands.cancel(id, "too late", "org-1", "u-1", null));
        send(WorkflowCommands.startStep("wf-rules-none", "a", "org-1", "u-1", null));
        send(WorkflowCommands.start("wf-rules-blank", " ", "org-1", "u-1", null));

        List<CommandResult> results = awaitResults(id, 10);
        assertThat(results.subList(0, 3)).extracting(CommandResult::getVersion).containsExactly(1L, 2L, 3L);
        assertRule(results.get(3), "STEP_ALREADY_COMPLETED");
        assertRule(results.get(4), "STEP_NOT_RUNNING");
        assertRule(results.get(5), "INVALID_DURATION");
        assertRule(results.get(6), "ALREADY_STARTED");
        assertThat(results.get(7).getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(results.get(7).getVersion()).isEqualTo(4L);
        assertRule(results.get(8), "WORKFLOW_FINISHED");
        assertRule(results.get(9), "WORKFLOW_FINISHED");
        assertRule(awaitResults("wf-rules-none", 1).get(0), "WORKFLOW_NOT_FOUND");
        assertRule(awaitResults("wf-rules-blank", 1).get(0), "INVALID_NAME");

        assertThat(events(id)).extracting(WorkflowEventEnvelope::getEventType)
                .containsExactly("WorkflowStarted", "StepStarted", "StepCompleted", "WorkflowCompleted");
        assertThat(events("wf-rules-none")).isEmpty();
        assertThat(events("wf-rules-blank")).isEmpty();
        assertThat(cluster.readAll(cluster.workflowDeadLetterTopic))
                .noneMatch(l -> key(l) != null && key(l).startsWith("wf-rules"));
    }

    @Test
    void aStaleExpectedVersionIsAConcurrencyConflict() throws Exception {
        String id = "wf-conflict";
        send(WorkflowCommands.start(id, "sync", "org-1", "u-1", 0L));
        send(WorkflowCommands.startStep(id, "one", "org-1", "u-1", 1L));
        // Two senders saw version 1; the second is too late.
        send(WorkflowCommands.cancel(id, "stop", "org-1", "u-1", 1L));
        send(WorkflowCommands.start(id, "sync", "org-1", "u-1", 0L));

        List<CommandResult> results = awaitResults(id, 4);
        assertThat(results.get(1).getVersion()).isEqualTo(2L);
        for (CommandResult r : results.subList(2, 4)) {
            assertThat(r.getStatus()).isEqualTo(CommandStatus.REJECTED);
            assertThat(r.getRejection().getReason()).isEqualTo(RejectionReason.CONCURRENCY_CONFLICT);
            assertThat(r.getRejection().getCode()).isEqualTo("CONCURRENCY_CONFLICT");
            assertThat(r.getRejection().getActualVersion()).isEqualTo(2L);
        }
        assertThat(results.get(2).getRejection().getExpectedVersion()).isEqualTo(1L);
        assertThat(results.get(3).getRejection().getExpectedVersion()).isEqualTo(0L);
        assertThat(events(id)).extracting(WorkflowEventEnvelope::getVersion).containsExactly(1L, 2L);
    }

    @Test
    void aCommandFromAnotherOrganizationIsATenantMismatchAndLearnsNothing() throws Exception {
        String id = "wf-tenant";
        WorkflowCommandEnvelope start = WorkflowCommands.start(id, "secret payroll", "org-1", "u-1", 0L);
        send(start);
        WorkflowCommandEnvelope step = WorkflowCommands.startStep(id, "collect", "org-1", "u-1", 1L);
        send(step);
        awaitResults(id, 2);

        List<WorkflowCommandEnvelope> foreign = new ArrayList<>();
        // A stale version would be a conflict naming the actual version; tenancy is checked first.
        foreign.add(WorkflowCommands.cancel(id, "mine now", "org-2", "u-2", 7L));
        foreign.add(WorkflowCommands.completeStep(id, "collect", 5, "org-2", "u-2", null));
        foreign.add(WorkflowCommands.startStep(id, "collect", "org-2", "u-2", null));
        // Another organization retrying org-1's commandId gets a refusal, not org-1's result.
        WorkflowCommandEnvelope replay = WorkflowCommands.startStep(id, "collect", "org-2", "u-2", 1L);
        replay.setCommandId(step.getCommandId());
        foreign.add(replay);
        WorkflowCommandEnvelope noOrg = WorkflowCommands.cancel(id, null, null, "u-2", null);
        foreign.add(noOrg);
        for (WorkflowCommandEnvelope c : foreign) {
            send(c);
        }

        List<CommandResult> results = awaitResults(id, 2 + foreign.size());
        for (CommandResult r : results.subList(2, results.size())) {
            assertThat(r.getStatus()).isEqualTo(CommandStatus.REJECTED);
            assertThat(r.getVersion()).isNull();
            assertThat(r.getRejection().getReason()).isEqualTo(RejectionReason.TENANT_MISMATCH);
            assertThat(r.getRejection().getCode()).isEqualTo("TENANT_MISMATCH");
            assertThat(r.getRejection().getExpectedVersion()).isNull();
            assertThat(r.getRejection().getActualVersion()).isNull();
            assertThat(r.getRejection().getMessage()).doesNotContain("org-1", "secret payroll", "collect", "running",
                    "version");
        }
        assertThat(events(id)).hasSize(2).allSatisfy(e -> assertThat(e.getMetadata().getOrganizationId()).isEqualTo("org-1"));
        // The workflow's own tenant carries on where it was.
        send(WorkflowCommands.completeStep(id, "collect", 5, "org-1", "u-1", 2L));
        assertThat(awaitResults(id, 3 + foreign.size()).get(2 + foreign.size()).getVersion()).isEqualTo(3L);
    }

    @Test
    void aCommandForAnotherAggregateTypeIsRefusedAndDeadLettered() throws Exception {
        String id = "wf-misrouted";
        WorkflowCommandEnvelope misrouted = WorkflowCommands.start(id, "import", "org-1", "u-1", 0L);
        misrouted.setAggregateType("Payment");
        send(misrouted);

        CommandResult r = awaitResults(id, 1).get(0);
        assertThat(r.getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(r.getRejection().getReason()).isEqualTo(RejectionReason.WRONG_AGGREGATE_TYPE);
        assertThat(r.getRejection().getCode()).isEqualTo("WRONG_AGGREGATE_TYPE");
        assertThat(r.getAggregateType()).isEqualTo("Workflow");
        List<ConsumerRecord<byte[], byte[]>> letters = await().atMost(WAIT).until(
                () -> cluster.readAll(cluster.workflowDeadLetterTopic).stream()
                        .filter(l -> id.equals(key(l))).toList(),
                l -> !l.isEmpty());
        assertThat(letters).singleElement().satisfies(l -> {
            assertThat(new String(l.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                    .startsWith("WRONG_AGGREGATE_TYPE");
            assertThat(new String(l.headers().lastHeader(DeadLetterHeaders.SOURCE_TOPIC).value(), StandardCharsets.UTF_8))
                    .isEqualTo(cluster.workflowCommandsTopic);
        });
        assertThat(events(id)).isEmpty();
        assertThat(cluster.results()).noneMatch(p -> p.getAggregateId().equals(id));

        // The misrouted command did not create the workflow: a proper start is version 1.
        send(WorkflowCommands.start(id, "import", "org-1", "u-1", 0L));
        assertThat(awaitResults(id, 2).get(1).getVersion()).isEqualTo(1L);
    }

    @Test
    void paymentsAndWorkflowsRunSideBySideInOneServiceEvenWithTheSameAggregateId() throws Exception {
        String id = "shared-1";
        payments.send(new ProducerRecord<>(cluster.commandsTopic, id, Commands.process(id, 5_000, "EUR", "org-1", "u-1", 0L))).get();
        send(WorkflowCommands.start(id, "settle", "org-2", "u-2", 0L));
        payments.send(new ProducerRecord<>(cluster.commandsTopic, id, Commands.refund(id, 1_000, "org-1", "u-1", 1L))).get();
        send(WorkflowCommands.startStep(id, "book", "org-2", "u-2", 1L));
        send(WorkflowCommands.completeStep(id, "book", 40, "org-2", "u-2", 2L));
        send(WorkflowCommands.complete(id, "org-2", "u-2", 3L));

        List<CommandResult> paymentResults = awaitOf(cluster::results, id, 2);
        assertThat(paymentResults).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(CommandStatus.ACCEPTED);
            assertThat(r.getAggregateType()).isEqualTo("Payment");
        });
        assertThat(paymentResults).extracting(CommandResult::getVersion).containsExactly(1L, 2L);
        List<CommandResult> workflowResults = awaitResults(id, 4);
        assertThat(workflowResults).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(CommandStatus.ACCEPTED);
            assertThat(r.getAggregateType()).isEqualTo("Workflow");
        });
        assertThat(workflowResults).extracting(CommandResult::getVersion).containsExactly(1L, 2L, 3L, 4L);

        var decoder = new AvroDeserializer<>(cluster.registry, EventEnvelope.class);
        List<EventEnvelope> paymentEvents = cluster.readAll(cluster.eventsTopic).stream()
                .map(rec -> decoder.deserialize(cluster.eventsTopic, rec.value()))
                .filter(e -> e.getAggregateId().equals(id)).toList();
        assertThat(paymentEvents).extracting(EventEnvelope::getEventType).containsExactly("PaymentProcessed", "PaymentRefunded");
        assertThat(paymentEvents).extracting(EventEnvelope::getAggregateType).containsOnly("Payment");
        assertThat(events(id)).extracting(WorkflowEventEnvelope::getEventType)
                .containsExactly("WorkflowStarted", "StepStarted", "StepCompleted", "WorkflowCompleted");
        // Same aggregate id, different types: different event ids.
        assertThat(paymentEvents.get(0).getEventId()).isEqualTo(EventIds.of("Payment", id, 1))
                .isNotEqualTo(events(id).get(0).getEventId());
    }
}
