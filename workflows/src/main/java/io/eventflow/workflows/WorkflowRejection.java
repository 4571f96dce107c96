package io.eventflow.workflows;

import io.eventflow.aggregate.RejectionCode;

/** Why the workflow rules refuse a command; written to the command result's {@code rejection.code}. */
public enum WorkflowRejection implements RejectionCode {
    /** The workflow has not been started. */
    WORKFLOW_NOT_FOUND,
    /** StartWorkflow on a workflow that exists (whatever its status). */
    ALREADY_STARTED,
    /** Any other command on a completed, failed or cancelled workflow. */
    WORKFLOW_FINISHED,
    /** Completing or failing a step that is not the running one. */
    STEP_NOT_RUNNING,
    /** Starting, completing or failing a step that has already completed. */
    STEP_ALREADY_COMPLETED,
    /** Starting a step whose name is already running or has failed; a retry takes a new name. */
    STEP_ALREADY_STARTED,
    /** Starting a step, or completing or failing the workflow, while another step runs. */
    STEP_RUNNING,
    /** Starting a step when the workflow already has {@link Workflows#MAX_STEPS}. */
    TOO_MANY_STEPS,
    /** A negative duration. */
    INVALID_DURATION,
    /** A blank workflow or step name, or one longer than {@link Workflows#MAX_NAME_LENGTH}. */
    INVALID_NAME
}
