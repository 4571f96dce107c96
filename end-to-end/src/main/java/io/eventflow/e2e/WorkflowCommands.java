package io.eventflow.e2e;

import io.eventflow.schemas.Metadata;
import io.eventflow.schemas.workflow.CancelWorkflow;
import io.eventflow.schemas.workflow.CompleteStep;
import io.eventflow.schemas.workflow.CompleteWorkflow;
import io.eventflow.schemas.workflow.FailStep;
import io.eventflow.schemas.workflow.FailWorkflow;
import io.eventflow.schemas.workflow.StartStep;
import io.eventflow.schemas.workflow.StartWorkflow;
import io.eventflow.schemas.workflow.WorkflowCommandEnvelope;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Builds workflow command envelopes, as an upstream service would; the workflow counterpart of
 * {@link Commands}. Each has a new commandId; {@code expectedVersion} null skips the version check.
 * Durations are milliseconds.
 */
public final class WorkflowCommands {
    private WorkflowCommands() {
    }

    public static WorkflowCommandEnvelope start(String workflowId, String name, String org, String user,
            Long expectedVersion) {
        return envelope(workflowId, expectedVersion, org, user, new StartWorkflow(workflowId, org, user, name));
    }

    public static WorkflowCommandEnvelope startStep(String workflowId, String step, String org, String user,
            Long expectedVersion) {
        return envelope(workflowId, expectedVersion, org, user, new StartStep(workflowId, step));
    }

    public static WorkflowCommandEnvelope completeStep(String workflowId, String step, long durationMs, String org,
            String user, Long expectedVersion) {
        return envelope(workflowId, expectedVersion, org, user, new CompleteStep(workflowId, step, durationMs));
    }

    public static WorkflowCommandEnvelope failStep(String workflowId, String step, long durationMs, String error,
            String org, String user, Long expectedVersion) {
        return envelope(workflowId, expectedVersion, org, user, new FailStep(workflowId, step, durationMs, error));
    }

    public static WorkflowCommandEnvelope complete(String workflowId, String org, String user, Long expectedVersion) {
        return envelope(workflowId, expectedVersion, org, user, new CompleteWorkflow(workflowId));
    }

    public static WorkflowCommandEnvelope fail(String workflowId, String error, String org, String user,
            Long expectedVersion) {
        return envelope(workflowId, expectedVersion, org, user, new FailWorkflow(workflowId, error));
    }

    /** {@code reason} may be null. */
    public static WorkflowCommandEnvelope cancel(String workflowId, String reason, String org, String user,
            Long expectedVersion) {
        return envelope(workflowId, expectedVersion, org, user, new CancelWorkflow(workflowId, reason));
    }

    private static WorkflowCommandEnvelope envelope(String workflowId, Long expectedVersion, String org, String user,
            Object payload) {
        return WorkflowCommandEnvelope.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setAggregateId(workflowId)
                .setExpectedVersion(expectedVersion)
                .setCorrelationId(UUID.randomUUID().toString())
                .setTimestamp(Instant.now())
                .setMetadata(Metadata.newBuilder().setOrganizationId(org).setUserId(user).setExtra(Map.of("source", "demo")).build())
                .setPayload(payload)
                .build();
    }
}
