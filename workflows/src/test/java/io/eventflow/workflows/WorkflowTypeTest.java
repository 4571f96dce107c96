package io.eventflow.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventflow.aggregate.AggregateTypes;
import io.eventflow.aggregate.AvroEdge;
import io.eventflow.aggregate.Decision;
import io.eventflow.aggregate.EventData;
import io.eventflow.aggregate.Histories;
import io.eventflow.aggregate.Recorded;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.payments.Payments;
import io.eventflow.schemas.workflow.WorkflowCommandEnvelope;
import io.eventflow.schemas.workflow.WorkflowEventEnvelope;
import io.eventflow.workflows.WorkflowCommand.CancelWorkflow;
import io.eventflow.workflows.WorkflowCommand.CompleteStep;
import io.eventflow.workflows.WorkflowCommand.CompleteWorkflow;
import io.eventflow.workflows.WorkflowCommand.FailStep;
import io.eventflow.workflows.WorkflowCommand.FailWorkflow;
import io.eventflow.workflows.WorkflowCommand.StartStep;
import io.eventflow.workflows.WorkflowCommand.StartWorkflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The workflow type as the services see it: its names, its Avro edge, its history in the event store. */
class WorkflowTypeTest {
    private static final String ID = "w-1";
    private static final AvroEdge<WorkflowCommand, WorkflowEvent> AVRO = Workflows.TYPE.avro();
    private static final List<WorkflowCommand> SCRIPT = List.of(
            new StartWorkflow(ID, "org-1", "u-1", "nightly import"),
            new StartStep(ID, "fetch"), new FailStep(ID, "fetch", 30_000, "timeout"),
            new StartStep(ID, "fetch again"), new CompleteStep(ID, "fetch again", 1_250),
            new StartStep(ID, "load"), new CancelWorkflow(ID, null));

    /** The events the script produces, recorded at consecutive versions. */
    private static List<Recorded<WorkflowEvent>> history(List<WorkflowCommand> script) {
        WorkflowState s = WorkflowState.initial(ID);
        List<Recorded<WorkflowEvent>> recorded = new ArrayList<>();
        for (WorkflowCommand c : script) {
            for (WorkflowEvent e : ((Decision.Accepted<WorkflowEvent>) Workflows.decide(s, c)).events()) {
                Recorded<WorkflowEvent> r = Fold.recorded(s, e);
                recorded.add(r);
                s = Workflows.evolve(s, r);
            }
        }
        return recorded;
    }

    @Test
    void namesFollowTheConvention() {
        assertThat(Workflows.TYPE.names().type()).isEqualTo("Workflow");
        assertThat(Workflows.TYPE.names().eventsTopic()).isEqualTo("workflow-events");
        assertThat(Workflows.TYPE.names().readModel()).isEqualTo("workflows");
        assertThat(Workflows.TYPE.stateCodec().format()).isEqualTo(1);
        assertThat(WorkflowCommandEnvelope.getClassSchema().getField("aggregateType").defaultVal()).isEqualTo("Workflow");
    }

    @Test
    void theEnvelopesHaveExactlyTheStandardFields() {
        assertSameFields(WorkflowCommandEnvelope.getClassSchema(), io.eventflow.schemas.CommandEnvelope.getClassSchema(),
                "aggregateType");
        assertSameFields(WorkflowEventEnvelope.getClassSchema(), io.eventflow.schemas.EventEnvelope.getClassSchema(), null);
    }

    /** Same field names, order, types and defaults, except the payload union (and one default). */
    private static void assertSameFields(Schema actual, Schema standard, String otherDefault) {
        assertThat(actual.getFields().stream().map(Schema.Field::name).toList())
                .isEqualTo(standard.getFields().stream().map(Schema.Field::name).toList());
        for (Schema.Field f : standard.getFields()) {
            if (f.name().equals("payload")) {
                continue;
            }
            Schema.Field a = actual.getField(f.name());
            assertThat(a.schema()).as(f.name()).isEqualTo(f.schema());
            if (!f.name().equals(otherDefault)) {
                assertThat(a.defaultVal()).as(f.name()).isEqualTo(f.defaultVal());
            }
        }
    }

    @Test
    void registersBesidePayments() {
        AggregateTypes types = AggregateTypes.of(Payments.TYPE, Workflows.TYPE);
        assertThat(types.readModels()).containsExactly("payments", "workflows");
        assertThat(types.byType("Workflow")).contains(Workflows.TYPE);
        assertThat(types.byReadModel("workflows")).contains(Workflows.TYPE);
        assertThatThrownBy(() -> AggregateTypes.of(Workflows.TYPE, Workflows.TYPE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyCommandAndEventCrossesTheAvroEdge() {
        List<WorkflowCommand> commands = new ArrayList<>(SCRIPT);
        commands.add(new CompleteWorkflow(ID));
        commands.add(new FailWorkflow(ID, "boom"));
        commands.add(new CancelWorkflow(ID, "operator"));
        List<String> payloadNames = io.eventflow.aggregate.Envelopes.payloadTypes(AVRO.commandEnvelope()).stream()
                .map(Schema::getName).toList();
        for (WorkflowCommand c : commands) {
            assertThat(payloadNames).contains(c.getClass().getSimpleName());
            SpecificRecord avro = toAvroCommand(c);
            assertThat(AVRO.command(avro)).isEqualTo(c);
        }
        List<WorkflowEvent> events = new ArrayList<>(history(SCRIPT).stream().map(Recorded::event).toList());
        events.add(new WorkflowEvent.WorkflowCompleted(ID));
        events.add(new WorkflowEvent.WorkflowFailed(ID, "boom"));
        events.add(new WorkflowEvent.WorkflowCancelled(ID, "operator"));
        assertThat(events.stream().map(WorkflowEvent::eventType).distinct())
                .containsExactlyInAnyOrderElementsOf(io.eventflow.aggregate.Envelopes.payloadTypes(AVRO.eventEnvelope())
                        .stream().map(Schema::getName).toList());
        for (WorkflowEvent e : events) {
            SpecificRecord avro = AVRO.event(e);
            assertThat(avro.getSchema().getName()).isEqualTo(e.eventType());
            assertThat(AVRO.event(avro)).isEqualTo(e);
        }
        assertThatThrownBy(() -> AVRO.event(new io.eventflow.schemas.payment.PaymentFailed("p-1", "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEventStoreHistoryFoldsToTheSameState() {
        List<Recorded<WorkflowEvent>> history = history(SCRIPT);
        WorkflowState direct = WorkflowState.initial(ID);
        List<EventDocument> documents = new ArrayList<>();
        for (Recorded<WorkflowEvent> r : history) {
            direct = Workflows.evolve(direct, r);
            SpecificRecord payload = AVRO.event(r.event());
            documents.add(new EventDocument("e-" + r.version(), ID, "Workflow", r.event().eventType(), r.version(),
                    r.timestamp(), "corr-1", "cmd-" + r.version(),
                    EventData.toMap((org.apache.avro.generic.GenericRecord) payload),
                    Map.of("organizationId", "org-1", "userId", "u-1")));
        }
        assertThat(direct.status()).isEqualTo(WorkflowState.Status.CANCELLED);
        assertThat(direct.steps()).hasSize(3);
        assertThat(Histories.fold(Workflows.TYPE, ID, documents)).isEqualTo(direct);
        assertThat(Histories.fold(Workflows.TYPE, ID, documents.subList(0, 3)))
                .isEqualTo(Fold.evolveAll(WorkflowState.initial(ID), history.subList(0, 3).stream().map(Recorded::event).toList()));
        assertThatThrownBy(() -> Histories.fold(Payments.TYPE, ID, documents)).isInstanceOf(IllegalStateException.class);
    }

    /** The Avro payload a client would send for {@code c}. */
    private static SpecificRecord toAvroCommand(WorkflowCommand c) {
        if (c instanceof StartWorkflow s) {
            return new io.eventflow.schemas.workflow.StartWorkflow(s.workflowId(), s.organizationId(), s.userId(), s.name());
        }
        if (c instanceof StartStep s) {
            return new io.eventflow.schemas.workflow.StartStep(s.workflowId(), s.stepName());
        }
        if (c instanceof CompleteStep s) {
            return new io.eventflow.schemas.workflow.CompleteStep(s.workflowId(), s.stepName(), s.durationMs());
        }
        if (c instanceof FailStep s) {
            return new io.eventflow.schemas.workflow.FailStep(s.workflowId(), s.stepName(), s.durationMs(), s.error());
        }
        if (c instanceof CompleteWorkflow s) {
            return new io.eventflow.schemas.workflow.CompleteWorkflow(s.workflowId());
        }
        if (c instanceof FailWorkflow s) {
            return new io.eventflow.schemas.workflow.FailWorkflow(s.workflowId(), s.error());
        }
        CancelWorkflow s = (CancelWorkflow) c;
        return new io.eventflow.schemas.workflow.CancelWorkflow(s.workflowId(), s.reason());
    }
}
