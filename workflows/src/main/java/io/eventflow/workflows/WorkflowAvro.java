package io.eventflow.workflows;

import io.eventflow.aggregate.AvroEdge;
import io.eventflow.schemas.workflow.CancelWorkflow;
import io.eventflow.schemas.workflow.CompleteStep;
import io.eventflow.schemas.workflow.CompleteWorkflow;
import io.eventflow.schemas.workflow.FailStep;
import io.eventflow.schemas.workflow.FailWorkflow;
import io.eventflow.schemas.workflow.StartStep;
import io.eventflow.schemas.workflow.StartWorkflow;
import io.eventflow.schemas.workflow.StepCompleted;
import io.eventflow.schemas.workflow.StepFailed;
import io.eventflow.schemas.workflow.StepStarted;
import io.eventflow.schemas.workflow.WorkflowCancelled;
import io.eventflow.schemas.workflow.WorkflowCommandEnvelope;
import io.eventflow.schemas.workflow.WorkflowCompleted;
import io.eventflow.schemas.workflow.WorkflowEventEnvelope;
import io.eventflow.schemas.workflow.WorkflowFailed;
import io.eventflow.schemas.workflow.WorkflowStarted;
import org.apache.avro.specific.SpecificRecord;

/** Workflows between Avro ({@code io.eventflow.schemas.workflow}) and the domain. Stateless, thread-safe. */
final class WorkflowAvro implements AvroEdge<WorkflowCommand, WorkflowEvent> {

    @Override
    public Class<WorkflowCommandEnvelope> commandEnvelope() {
        return WorkflowCommandEnvelope.class;
    }

    @Override
    public Class<WorkflowEventEnvelope> eventEnvelope() {
        return WorkflowEventEnvelope.class;
    }

    @Override
    public WorkflowCommand command(SpecificRecord p) {
        if (p instanceof StartWorkflow c) {
            return new WorkflowCommand.StartWorkflow(c.getWorkflowId(), c.getOrganizationId(), c.getUserId(), c.getName());
        }
        if (p instanceof StartStep c) {
            return new WorkflowCommand.StartStep(c.getWorkflowId(), c.getStepName());
        }
        if (p instanceof CompleteStep c) {
            return new WorkflowCommand.CompleteStep(c.getWorkflowId(), c.getStepName(), c.getDurationMs());
        }
        if (p instanceof FailStep c) {
            return new WorkflowCommand.FailStep(c.getWorkflowId(), c.getStepName(), c.getDurationMs(), c.getError());
        }
        if (p instanceof CompleteWorkflow c) {
            return new WorkflowCommand.CompleteWorkflow(c.getWorkflowId());
        }
        if (p instanceof FailWorkflow c) {
            return new WorkflowCommand.FailWorkflow(c.getWorkflowId(), c.getError());
        }
        if (p instanceof CancelWorkflow c) {
            return new WorkflowCommand.CancelWorkflow(c.getWorkflowId(), c.getReason());
        }
        throw new IllegalArgumentException("not a workflow command: " + (p == null ? null : p.getSchema().getFullName()));
    }

    @Override
    public SpecificRecord event(WorkflowEvent event) {
        if (event instanceof WorkflowEvent.WorkflowStarted e) {
            return new WorkflowStarted(e.workflowId(), e.organizationId(), e.userId(), e.name());
        }
        if (event instanceof WorkflowEvent.StepStarted e) {
            return new StepStarted(e.workflowId(), e.stepName());
        }
        if (event instanceof WorkflowEvent.StepCompleted e) {
            return new StepCompleted(e.workflowId(), e.stepName(), e.durationMs());
        }
        if (event instanceof WorkflowEvent.StepFailed e) {
            return new StepFailed(e.workflowId(), e.stepName(), e.durationMs(), e.error());
        }
        if (event instanceof WorkflowEvent.WorkflowCompleted e) {
            return new WorkflowCompleted(e.workflowId());
        }
        if (event instanceof WorkflowEvent.WorkflowFailed e) {
            return new WorkflowFailed(e.workflowId(), e.error());
        }
        if (event instanceof WorkflowEvent.WorkflowCancelled e) {
            return new WorkflowCancelled(e.workflowId(), e.reason());
        }
        throw new IllegalArgumentException("unknown event " + event);
    }

    @Override
    public WorkflowEvent event(SpecificRecord p) {
        if (p instanceof WorkflowStarted e) {
            return new WorkflowEvent.WorkflowStarted(e.getWorkflowId(), e.getOrganizationId(), e.getUserId(), e.getName());
        }
        if (p instanceof StepStarted e) {
            return new WorkflowEvent.StepStarted(e.getWorkflowId(), e.getStepName());
        }
        if (p instanceof StepCompleted e) {
            return new WorkflowEvent.StepCompleted(e.getWorkflowId(), e.getStepName(), e.getDurationMs());
        }
        if (p instanceof StepFailed e) {
            return new WorkflowEvent.StepFailed(e.getWorkflowId(), e.getStepName(), e.getDurationMs(), e.getError());
        }
        if (p instanceof WorkflowCompleted e) {
            return new WorkflowEvent.WorkflowCompleted(e.getWorkflowId());
        }
        if (p instanceof WorkflowFailed e) {
            return new WorkflowEvent.WorkflowFailed(e.getWorkflowId(), e.getError());
        }
        if (p instanceof WorkflowCancelled e) {
            return new WorkflowEvent.WorkflowCancelled(e.getWorkflowId(), e.getReason());
        }
        throw new IllegalArgumentException("not a workflow event: " + (p == null ? null : p.getSchema().getFullName()));
    }
}
