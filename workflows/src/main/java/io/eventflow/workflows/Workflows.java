package io.eventflow.workflows;

import static io.eventflow.workflows.WorkflowRejection.ALREADY_STARTED;
import static io.eventflow.workflows.WorkflowRejection.INVALID_DURATION;
import static io.eventflow.workflows.WorkflowRejection.INVALID_NAME;
import static io.eventflow.workflows.WorkflowRejection.STEP_ALREADY_COMPLETED;
import static io.eventflow.workflows.WorkflowRejection.STEP_ALREADY_STARTED;
import static io.eventflow.workflows.WorkflowRejection.STEP_NOT_RUNNING;
import static io.eventflow.workflows.WorkflowRejection.STEP_RUNNING;
import static io.eventflow.workflows.WorkflowRejection.TOO_MANY_STEPS;
import static io.eventflow.workflows.WorkflowRejection.WORKFLOW_FINISHED;
import static io.eventflow.workflows.WorkflowRejection.WORKFLOW_NOT_FOUND;

import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.Decider;
import io.eventflow.aggregate.Decision;
import io.eventflow.aggregate.Recorded;
import io.eventflow.workflows.WorkflowCommand.CancelWorkflow;
import io.eventflow.workflows.WorkflowCommand.CompleteStep;
import io.eventflow.workflows.WorkflowCommand.CompleteWorkflow;
import io.eventflow.workflows.WorkflowCommand.FailStep;
import io.eventflow.workflows.WorkflowCommand.FailWorkflow;
import io.eventflow.workflows.WorkflowCommand.StartStep;
import io.eventflow.workflows.WorkflowCommand.StartWorkflow;
import io.eventflow.workflows.WorkflowEvent.StepCompleted;
import io.eventflow.workflows.WorkflowEvent.StepFailed;
import io.eventflow.workflows.WorkflowEvent.StepStarted;
import io.eventflow.workflows.WorkflowEvent.WorkflowCancelled;
import io.eventflow.workflows.WorkflowEvent.WorkflowCompleted;
import io.eventflow.workflows.WorkflowEvent.WorkflowFailed;
import io.eventflow.workflows.WorkflowEvent.WorkflowStarted;
import io.eventflow.workflows.WorkflowState.Status;
import io.eventflow.workflows.WorkflowState.Step;
import io.eventflow.workflows.WorkflowState.StepStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The workflow aggregate as pure functions: {@code decide} per command type, and {@link #evolve},
 * the one fold of workflows. {@link #TYPE} is what services are wired with.
 *
 * <p>The rules keep a workflow's state bounded: at most {@link #MAX_STEPS} steps with unique names
 * of at most {@link #MAX_NAME_LENGTH} chars, and errors and reasons cut to {@link #MAX_ERROR_LENGTH}
 * chars (a failure is a fact worth recording even when its message is long, so it is truncated
 * rather than refused).
 */
public final class Workflows {
    /** The workflow aggregate type: envelope name {@code Workflow}, topics {@code workflow-*}, read model {@code workflows}. */
    public static final AggregateType<WorkflowState, WorkflowCommand, WorkflowEvent> TYPE = new WorkflowType();

    /** The most steps a workflow runs. */
    public static final int MAX_STEPS = 200;
    /** The longest workflow or step name, in chars (UTF-16 units). */
    public static final int MAX_NAME_LENGTH = 256;
    /** The longest error or cancellation reason kept, in chars (UTF-16 units); longer ones are cut. */
    public static final int MAX_ERROR_LENGTH = 512;

    private Workflows() {
    }

    public static Decision<WorkflowEvent> start(WorkflowState state, StartWorkflow c) {
        if (state.exists()) {
            return Decision.reject(ALREADY_STARTED, "workflow " + c.workflowId() + " already exists (" + state.status() + ")");
        }
        if (!validName(c.name())) {
            return invalidName("workflow name", c.name());
        }
        return Decision.accept(new WorkflowStarted(c.workflowId(), c.organizationId(), c.userId(), c.name()));
    }

    public static Decision<WorkflowEvent> startStep(WorkflowState state, StartStep c) {
        Decision<WorkflowEvent> refused = refuseUnlessRunning(state, c.workflowId());
        if (refused != null) {
            return refused;
        }
        if (!validName(c.stepName())) {
            return invalidName("step name", c.stepName());
        }
        Step existing = state.step(c.stepName());
        if (existing != null) {
            return existing.status() == StepStatus.COMPLETED
                    ? Decision.reject(STEP_ALREADY_COMPLETED, "step '" + c.stepName() + "' has already completed")
                    : Decision.reject(STEP_ALREADY_STARTED, "step '" + c.stepName() + "' was already started ("
                            + existing.status().label() + "); a retry takes a new step name");
        }
        if (state.currentStep() != null) {
            return Decision.reject(STEP_RUNNING, "step '" + state.currentStep() + "' is still running");
        }
        if (state.steps().size() >= MAX_STEPS) {
            return Decision.reject(TOO_MANY_STEPS, "workflow " + c.workflowId() + " already has " + MAX_STEPS + " steps");
        }
        return Decision.accept(new StepStarted(c.workflowId(), c.stepName()));
    }

    public static Decision<WorkflowEvent> completeStep(WorkflowState state, CompleteStep c) {
        Decision<WorkflowEvent> refused = refuseStepEnd(state, c.workflowId(), c.stepName(), c.durationMs());
        return refused != null ? refused
                : Decision.accept(new StepCompleted(c.workflowId(), c.stepName(), c.durationMs()));
    }

    public static Decision<WorkflowEvent> failStep(WorkflowState state, FailStep c) {
        Decision<WorkflowEvent> refused = refuseStepEnd(state, c.workflowId(), c.stepName(), c.durationMs());
        return refused != null ? refused
                : Decision.accept(new StepFailed(c.workflowId(), c.stepName(), c.durationMs(), cut(c.error(), "")));
    }

    public static Decision<WorkflowEvent> complete(WorkflowState state, CompleteWorkflow c) {
        Decision<WorkflowEvent> refused = refuseEnd(state, c.workflowId());
        return refused != null ? refused : Decision.accept(new WorkflowCompleted(c.workflowId()));
    }

    public static Decision<WorkflowEvent> fail(WorkflowState state, FailWorkflow c) {
        Decision<WorkflowEvent> refused = refuseEnd(state, c.workflowId());
        return refused != null ? refused : Decision.accept(new WorkflowFailed(c.workflowId(), cut(c.error(), "")));
    }

    /** Cancelling interrupts a running step: it stays running in the state, as it was when cancelled. */
    public static Decision<WorkflowEvent> cancel(WorkflowState state, CancelWorkflow c) {
        Decision<WorkflowEvent> refused = refuseUnlessRunning(state, c.workflowId());
        return refused != null ? refused : Decision.accept(new WorkflowCancelled(c.workflowId(), cut(c.reason(), null)));
    }

    /**
     * {@code decide(state, command) -> events | rejection} for every workflow command, through the
     * handlers {@link #TYPE}'s domain registers: the table the command-service dispatches with.
     */
    public static Decision<WorkflowEvent> decide(WorkflowState state, WorkflowCommand command) {
        return Deciding.DECIDER.decide(state, command);
    }

    /** Built on first use: {@link #TYPE} must be initialised first. */
    private static final class Deciding {
        static final Decider<WorkflowState, WorkflowCommand, WorkflowEvent> DECIDER = Decider.of(TYPE.domain());
    }

    /**
     * Applies one event: the one fold of workflows. The version becomes the event's, {@code updatedAt}
     * its timestamp. It records facts as they are, without re-checking the rules.
     */
    public static WorkflowState evolve(WorkflowState s, Recorded<? extends WorkflowEvent> recorded) {
        long v = recorded.version();
        Instant t = recorded.timestamp();
        String id = recorded.aggregateId();
        WorkflowEvent event = recorded.event();
        if (event instanceof WorkflowStarted e) {
            return new WorkflowState(id, Status.RUNNING, e.name(), e.organizationId(), e.userId(), null, List.of(),
                    null, null, t, null, t, v);
        }
        if (event instanceof StepStarted e) {
            // decide never restarts a name; should a history hold one anyway, names stay unique.
            List<Step> steps = new ArrayList<>(s.steps().size() + 1);
            for (Step step : s.steps()) {
                if (!step.name().equals(e.stepName())) {
                    steps.add(step);
                }
            }
            steps.add(new Step(e.stepName(), StepStatus.RUNNING, null, null, t, null));
            return new WorkflowState(id, s.status(), s.name(), s.organizationId(), s.userId(), e.stepName(), steps,
                    s.error(), s.cancelReason(), s.startedAt(), s.endedAt(), t, v);
        }
        if (event instanceof StepCompleted e) {
            return ended(s, recorded, e.stepName(), StepStatus.COMPLETED, e.durationMs(), null);
        }
        if (event instanceof StepFailed e) {
            return ended(s, recorded, e.stepName(), StepStatus.FAILED, e.durationMs(), e.error());
        }
        if (event instanceof WorkflowCompleted) {
            return new WorkflowState(id, Status.COMPLETED, s.name(), s.organizationId(), s.userId(), s.currentStep(),
                    s.steps(), s.error(), s.cancelReason(), s.startedAt(), t, t, v);
        }
        if (event instanceof WorkflowFailed e) {
            return new WorkflowState(id, Status.FAILED, s.name(), s.organizationId(), s.userId(), s.currentStep(),
                    s.steps(), e.error(), s.cancelReason(), s.startedAt(), t, t, v);
        }
        if (event instanceof WorkflowCancelled e) {
            return new WorkflowState(id, Status.CANCELLED, s.name(), s.organizationId(), s.userId(), s.currentStep(),
                    s.steps(), s.error(), e.reason(), s.startedAt(), t, t, v);
        }
        throw new IllegalArgumentException("unknown event " + event);
    }

    private static WorkflowState ended(WorkflowState s, Recorded<?> recorded, String name, StepStatus status,
            long durationMs, String error) {
        Instant t = recorded.timestamp();
        List<Step> steps = new ArrayList<>(s.steps().size() + 1);
        boolean found = false;
        for (Step step : s.steps()) {
            if (step.name().equals(name)) {
                steps.add(new Step(name, status, durationMs, error, step.startedAt(), t));
                found = true;
            } else {
                steps.add(step);
            }
        }
        if (!found) {
            steps.add(new Step(name, status, durationMs, error, null, t));
        }
        String current = name.equals(s.currentStep()) ? null : s.currentStep();
        return new WorkflowState(recorded.aggregateId(), s.status(), s.name(), s.organizationId(), s.userId(), current,
                steps, s.error(), s.cancelReason(), s.startedAt(), s.endedAt(), t, recorded.version());
    }

    private static Decision<WorkflowEvent> refuseUnlessRunning(WorkflowState state, String workflowId) {
        if (!state.exists()) {
            return Decision.reject(WORKFLOW_NOT_FOUND, "workflow " + workflowId + " not found");
        }
        if (state.status().finished()) {
            return Decision.reject(WORKFLOW_FINISHED, "workflow " + workflowId + " is " + state.status().label());
        }
        return null;
    }

    private static Decision<WorkflowEvent> refuseStepEnd(WorkflowState state, String workflowId, String stepName,
            long durationMs) {
        Decision<WorkflowEvent> refused = refuseUnlessRunning(state, workflowId);
        if (refused != null) {
            return refused;
        }
        if (durationMs < 0) {
            return Decision.reject(INVALID_DURATION, "durationMs must not be negative, got " + durationMs);
        }
        if (stepName != null && stepName.equals(state.currentStep())) {
            return null;
        }
        Step existing = stepName == null ? null : state.step(stepName);
        if (existing != null && existing.status() == StepStatus.COMPLETED) {
            return Decision.reject(STEP_ALREADY_COMPLETED, "step '" + stepName + "' has already completed");
        }
        return Decision.reject(STEP_NOT_RUNNING, "step '" + stepName + "' is not running"
                + (state.currentStep() == null ? "; no step is" : "; '" + state.currentStep() + "' is"));
    }

    private static Decision<WorkflowEvent> refuseEnd(WorkflowState state, String workflowId) {
        Decision<WorkflowEvent> refused = refuseUnlessRunning(state, workflowId);
        if (refused != null) {
            return refused;
        }
        if (state.currentStep() != null) {
            return Decision.reject(STEP_RUNNING, "step '" + state.currentStep()
                    + "' is still running; complete or fail it first, or cancel the workflow");
        }
        return null;
    }

    static boolean validName(String name) {
        return name != null && !name.isBlank() && name.length() <= MAX_NAME_LENGTH;
    }

    private static Decision<WorkflowEvent> invalidName(String what, String name) {
        return Decision.reject(INVALID_NAME, what + " must be non-blank and at most " + MAX_NAME_LENGTH + " chars, got "
                + (name == null ? "none" : name.length() + " chars"));
    }

    /** {@code text} cut to {@link #MAX_ERROR_LENGTH} chars, never in the middle of a surrogate pair. */
    static String cut(String text, String ifNull) {
        if (text == null) {
            return ifNull;
        }
        if (text.length() <= MAX_ERROR_LENGTH) {
            return text;
        }
        int end = MAX_ERROR_LENGTH;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }
}
