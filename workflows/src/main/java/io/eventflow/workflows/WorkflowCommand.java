package io.eventflow.workflows;

/**
 * Commands on the workflow aggregate. Durations are integer milliseconds; names are at most
 * {@link Workflows#MAX_NAME_LENGTH} chars. Immutable.
 */
public sealed interface WorkflowCommand {
    String workflowId();

    /** Creates the workflow in {@code organizationId}, started by {@code userId}. */
    record StartWorkflow(String workflowId, String organizationId, String userId, String name)
            implements WorkflowCommand {
    }

    /** Starts a new step; one step runs at a time and step names are unique in a workflow. */
    record StartStep(String workflowId, String stepName) implements WorkflowCommand {
    }

    /** Completes the running step, which took {@code durationMs}. */
    record CompleteStep(String workflowId, String stepName, long durationMs) implements WorkflowCommand {
    }

    /** Fails the running step after {@code durationMs}; {@code error} is truncated to {@link Workflows#MAX_ERROR_LENGTH}. */
    record FailStep(String workflowId, String stepName, long durationMs, String error) implements WorkflowCommand {
    }

    record CompleteWorkflow(String workflowId) implements WorkflowCommand {
    }

    /** {@code error} is truncated to {@link Workflows#MAX_ERROR_LENGTH}. */
    record FailWorkflow(String workflowId, String error) implements WorkflowCommand {
    }

    /** Cancels the workflow, even while a step runs; {@code reason} may be null. */
    record CancelWorkflow(String workflowId, String reason) implements WorkflowCommand {
    }
}
