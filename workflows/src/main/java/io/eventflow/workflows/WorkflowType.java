package io.eventflow.workflows;

import io.eventflow.aggregate.AggregateNames;
import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.AvroEdge;
import io.eventflow.aggregate.Domain;
import io.eventflow.aggregate.ReadModel;
import io.eventflow.aggregate.Recorded;
import io.eventflow.aggregate.StateCodec;

/** The workflow aggregate's parts; see {@link Workflows#TYPE}. */
final class WorkflowType implements AggregateType<WorkflowState, WorkflowCommand, WorkflowEvent> {
    private static final AggregateNames NAMES = new AggregateNames("Workflow", "workflow", "workflows");
    private final Domain<WorkflowState, WorkflowCommand, WorkflowEvent> domain = new WorkflowDomain();
    private final AvroEdge<WorkflowCommand, WorkflowEvent> avro = new WorkflowAvro();
    private final StateCodec<WorkflowState> codec = new WorkflowStateCodec();
    private final ReadModel<WorkflowState> readModel = new WorkflowReadModel();

    @Override
    public AggregateNames names() {
        return NAMES;
    }

    @Override
    public Domain<WorkflowState, WorkflowCommand, WorkflowEvent> domain() {
        return domain;
    }

    @Override
    public AvroEdge<WorkflowCommand, WorkflowEvent> avro() {
        return avro;
    }

    @Override
    public StateCodec<WorkflowState> stateCodec() {
        return codec;
    }

    @Override
    public ReadModel<WorkflowState> readModel() {
        return readModel;
    }

    @Override
    public String toString() {
        return "aggregate type " + NAMES.type();
    }

    private static final class WorkflowDomain implements Domain<WorkflowState, WorkflowCommand, WorkflowEvent> {
        @Override
        public WorkflowState initial(String aggregateId) {
            return WorkflowState.initial(aggregateId);
        }

        @Override
        public void handlers(Handlers<WorkflowState, WorkflowCommand, WorkflowEvent> handlers) {
            handlers.on(WorkflowCommand.StartWorkflow.class, Workflows::start)
                    .on(WorkflowCommand.StartStep.class, Workflows::startStep)
                    .on(WorkflowCommand.CompleteStep.class, Workflows::completeStep)
                    .on(WorkflowCommand.FailStep.class, Workflows::failStep)
                    .on(WorkflowCommand.CompleteWorkflow.class, Workflows::complete)
                    .on(WorkflowCommand.FailWorkflow.class, Workflows::fail)
                    .on(WorkflowCommand.CancelWorkflow.class, Workflows::cancel);
        }

        @Override
        public WorkflowState evolve(WorkflowState state, Recorded<WorkflowEvent> event) {
            return Workflows.evolve(state, event);
        }

        @Override
        public long version(WorkflowState state) {
            return state.version();
        }

        @Override
        public String organizationId(WorkflowState state) {
            return state.exists() ? state.organizationId() : null;
        }

        @Override
        public String aggregateId(WorkflowCommand command) {
            return command.workflowId();
        }

        @Override
        public String createsIn(WorkflowCommand command) {
            // An absent organization still marks a creating command: no envelope organization equals
            // the empty string, so it is a tenant mismatch rather than an ordinary command.
            return command instanceof WorkflowCommand.StartWorkflow s
                    ? (s.organizationId() == null ? "" : s.organizationId()) : null;
        }
    }
}
