package io.eventflow.workflows;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A workflow as the one fold ({@link Workflows#evolve}) leaves it: the command side's state, the
 * {@code workflows} read model and the API's {@code asOf} state.
 *
 * <p>{@code version} counts applied events (0 = the workflow does not exist: status NONE, every
 * nullable field null, no steps). {@code currentStep} is the name of the step that is running, null
 * when none is; a cancelled workflow keeps the step that was running when it was cancelled.
 * {@code steps} are in start order, at most {@link Workflows#MAX_STEPS}, with unique names.
 * {@code error} is a failed workflow's error, {@code cancelReason} a cancelled one's reason (may be
 * null). {@code startedAt} is when it started, {@code endedAt} when it completed, failed or was
 * cancelled, {@code updatedAt} the time of the last event. Immutable.
 */
public record WorkflowState(
        String workflowId,
        Status status,
        String name,
        String organizationId,
        String userId,
        String currentStep,
        List<Step> steps,
        String error,
        String cancelReason,
        Instant startedAt,
        Instant endedAt,
        Instant updatedAt,
        long version) {

    public WorkflowState {
        Objects.requireNonNull(status, "status");
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** The status vocabulary of workflows; {@link #label()} is what documents and the API show. */
    public enum Status {
        NONE, RUNNING, COMPLETED, FAILED, CANCELLED;

        /** {@code running}, {@code completed}, {@code failed}, {@code cancelled}; null for NONE. */
        public String label() {
            return this == NONE ? null : name().toLowerCase(Locale.ROOT);
        }

        /** The status of a label; NONE for null. */
        public static Status ofLabel(String label) {
            return label == null ? NONE : valueOf(label.toUpperCase(Locale.ROOT));
        }

        /** Completed, failed or cancelled: no command is accepted any more. */
        public boolean finished() {
            return this == COMPLETED || this == FAILED || this == CANCELLED;
        }
    }

    /**
     * One step of a workflow. {@code durationMs} (as reported, integer milliseconds) and
     * {@code endedAt} are null while it runs; {@code error} is set for a failed step only. Immutable.
     */
    public record Step(String name, StepStatus status, Long durationMs, String error, Instant startedAt,
            Instant endedAt) {
        public Step {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(status, "status");
        }
    }

    /** A step's status; {@link #label()} is what documents show. */
    public enum StepStatus {
        RUNNING, COMPLETED, FAILED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static StepStatus ofLabel(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    public static WorkflowState initial(String workflowId) {
        return new WorkflowState(workflowId, Status.NONE, null, null, null, null, List.of(), null, null, null, null,
                null, 0);
    }

    public boolean exists() {
        return status != Status.NONE;
    }

    /** The step called {@code name}, or null. */
    public Step step(String name) {
        for (Step s : steps) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    public int failedStepCount() {
        return (int) steps.stream().filter(s -> s.status() == StepStatus.FAILED).count();
    }

    /** From start to end in milliseconds; null until the workflow ended. */
    public Long durationMs() {
        return startedAt == null || endedAt == null ? null : endedAt.toEpochMilli() - startedAt.toEpochMilli();
    }
}
