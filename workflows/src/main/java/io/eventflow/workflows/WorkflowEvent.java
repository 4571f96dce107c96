package io.eventflow.workflows;

/** Facts about a workflow. Durations are integer milliseconds. Immutable. */
public sealed interface WorkflowEvent {
    String workflowId();

    /** The event type name written to the event store: the record's simple name, as its Avro name. */
    default String eventType() {
        return getClass().getSimpleName();
    }

    record WorkflowStarted(String workflowId, String organizationId, String userId, String name)
            implements WorkflowEvent {
    }

    record StepStarted(String workflowId, String stepName) implements WorkflowEvent {
    }

    record StepCompleted(String workflowId, String stepName, long durationMs) implements WorkflowEvent {
    }

    record StepFailed(String workflowId, String stepName, long durationMs, String error) implements WorkflowEvent {
    }

    record WorkflowCompleted(String workflowId) implements WorkflowEvent {
    }

    record WorkflowFailed(String workflowId, String error) implements WorkflowEvent {
    }

    /** {@code reason} may be null. */
    record WorkflowCancelled(String workflowId, String reason) implements WorkflowEvent {
    }
}
