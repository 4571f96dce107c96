package io.eventflow.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventflow.aggregate.Decision;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkflowsTest {
    private static final String ID = "w-1";
    private static final WorkflowStarted STARTED = new WorkflowStarted(ID, "org-1", "u-1", "nightly import");
    private static final StepStarted FETCH = new StepStarted(ID, "fetch");
    private static final StepCompleted FETCHED = new StepCompleted(ID, "fetch", 1_200);

    private static WorkflowState given(WorkflowEvent... events) {
        return Fold.evolveAll(WorkflowState.initial(ID), List.of(events));
    }

    private static WorkflowRejection rejected(Decision<WorkflowEvent> d) {
        assertThat(d).isInstanceOf(Decision.Rejected.class);
        return WorkflowRejection.valueOf(((Decision.Rejected<WorkflowEvent>) d).rejection().code());
    }

    private static WorkflowRejection rejected(WorkflowState s, WorkflowCommand c) {
        return rejected(Workflows.decide(s, c));
    }

    @Test
    void startCreatesARunningWorkflow() {
        Decision<WorkflowEvent> d = Workflows.start(given(), new StartWorkflow(ID, "org-1", "u-1", "nightly import"));
        assertThat(d).isEqualTo(Decision.accept(STARTED));

        WorkflowState s = given(STARTED);
        assertThat(s.status()).isEqualTo(Status.RUNNING);
        assertThat(s.organizationId()).isEqualTo("org-1");
        assertThat(s.userId()).isEqualTo("u-1");
        assertThat(s.startedAt()).isEqualTo(Fold.T0.plusSeconds(1));
        assertThat(s.steps()).isEmpty();
        assertThat(s.version()).isEqualTo(1);
        assertThat(Workflows.TYPE.domain().organizationId(s)).isEqualTo("org-1");
        assertThat(Workflows.TYPE.domain().organizationId(given())).isNull();
    }

    @Test
    void startIsRejectedTwiceAndWithABadName() {
        assertThat(rejected(given(STARTED), new StartWorkflow(ID, "org-1", "u-1", "again"))).isEqualTo(WorkflowRejection.ALREADY_STARTED);
        assertThat(rejected(given(STARTED, new WorkflowCompleted(ID)), new StartWorkflow(ID, "org-1", "u-1", "again")))
                .isEqualTo(WorkflowRejection.ALREADY_STARTED);
        assertThat(rejected(given(), new StartWorkflow(ID, "org-1", "u-1", " "))).isEqualTo(WorkflowRejection.INVALID_NAME);
        assertThat(rejected(given(), new StartWorkflow(ID, "org-1", "u-1", null))).isEqualTo(WorkflowRejection.INVALID_NAME);
        assertThat(rejected(given(), new StartWorkflow(ID, "org-1", "u-1", "n".repeat(257)))).isEqualTo(WorkflowRejection.INVALID_NAME);
        assertThat(Workflows.decide(given(), new StartWorkflow(ID, "org-1", "u-1", "n".repeat(256))))
                .isInstanceOf(Decision.Accepted.class);
    }

    @Test
    void createsInIsTheStartsOrganizationAndNullForOtherCommands() {
        var domain = Workflows.TYPE.domain();
        assertThat(domain.createsIn(new StartWorkflow(ID, "org-1", "u-1", "n"))).isEqualTo("org-1");
        assertThat(domain.createsIn(new StartWorkflow(ID, null, "u-1", "n"))).isEmpty();
        assertThat(domain.createsIn(new StartStep(ID, "s"))).isNull();
        assertThat(domain.aggregateId(new CancelWorkflow(ID, null))).isEqualTo(ID);
    }

    @Test
    void everyOtherCommandNeedsAStartedWorkflow() {
        for (WorkflowCommand c : List.of(new StartStep(ID, "s"), new CompleteStep(ID, "s", 1), new FailStep(ID, "s", 1, "e"),
                new CompleteWorkflow(ID), new FailWorkflow(ID, "e"), new CancelWorkflow(ID, null))) {
            assertThat(rejected(given(), c)).as(c.toString()).isEqualTo(WorkflowRejection.WORKFLOW_NOT_FOUND);
        }
    }

    @Test
    void everyOtherCommandIsRejectedOnceTheWorkflowEnded() {
        for (WorkflowEvent end : List.of(new WorkflowCompleted(ID), new WorkflowFailed(ID, "x"), new WorkflowCancelled(ID, null))) {
            WorkflowState s = given(STARTED, end);
            for (WorkflowCommand c : List.of(new StartStep(ID, "s"), new CompleteStep(ID, "s", 1), new FailStep(ID, "s", 1, "e"),
                    new CompleteWorkflow(ID), new FailWorkflow(ID, "e"), new CancelWorkflow(ID, null))) {
                assertThat(rejected(s, c)).as(end + " then " + c).isEqualTo(WorkflowRejection.WORKFLOW_FINISHED);
            }
        }
    }

    @Test
    void aStepStartsRunsAndCompletes() {
        assertThat(Workflows.decide(given(STARTED), new StartStep(ID, "fetch"))).isEqualTo(Decision.accept(FETCH));
        WorkflowState running = given(STARTED, FETCH);
        assertThat(running.currentStep()).isEqualTo("fetch");
        assertThat(running.steps()).containsExactly(new Step("fetch", StepStatus.RUNNING, null, null, Fold.T0.plusSeconds(2), null));

        assertThat(Workflows.decide(running, new CompleteStep(ID, "fetch", 1_200))).isEqualTo(Decision.accept(FETCHED));
        WorkflowState done = given(STARTED, FETCH, FETCHED);
        assertThat(done.currentStep()).isNull();
        assertThat(done.steps()).containsExactly(
                new Step("fetch", StepStatus.COMPLETED, 1_200L, null, Fold.T0.plusSeconds(2), Fold.T0.plusSeconds(3)));
        assertThat(done.version()).isEqualTo(3);
        assertThat(done.updatedAt()).isEqualTo(Fold.T0.plusSeconds(3));
    }

    @Test
    void aStepFailsWithItsDurationAndError() {
        Decision<WorkflowEvent> d = Workflows.decide(given(STARTED, FETCH), new FailStep(ID, "fetch", 30_000, "timeout"));
        assertThat(d).isEqualTo(Decision.accept(new StepFailed(ID, "fetch", 30_000, "timeout")));
        WorkflowState s = given(STARTED, FETCH, new StepFailed(ID, "fetch", 30_000, "timeout"));
        assertThat(s.steps().get(0).status()).isEqualTo(StepStatus.FAILED);
        assertThat(s.steps().get(0).error()).isEqualTo("timeout");
        assertThat(s.failedStepCount()).isEqualTo(1);
        assertThat(s.status()).isEqualTo(Status.RUNNING);
        assertThat(s.currentStep()).isNull();
    }

    @Test
    void longErrorsAndReasonsAreCutNotRefused() {
        String longError = "e".repeat(Workflows.MAX_ERROR_LENGTH - 1) + "\uD83D\uDE00" + "tail";
        Decision<WorkflowEvent> d = Workflows.decide(given(STARTED, FETCH), new FailStep(ID, "fetch", 1, longError));
        String kept = ((StepFailed) ((Decision.Accepted<WorkflowEvent>) d).events().get(0)).error();
        assertThat(kept).hasSize(Workflows.MAX_ERROR_LENGTH - 1).isEqualTo("e".repeat(Workflows.MAX_ERROR_LENGTH - 1));

        Decision<WorkflowEvent> f = Workflows.decide(given(STARTED), new FailWorkflow(ID, "x".repeat(10_000)));
        assertThat(((WorkflowFailed) ((Decision.Accepted<WorkflowEvent>) f).events().get(0)).error()).hasSize(Workflows.MAX_ERROR_LENGTH);
        Decision<WorkflowEvent> c = Workflows.decide(given(STARTED), new CancelWorkflow(ID, "r".repeat(10_000)));
        assertThat(((WorkflowCancelled) ((Decision.Accepted<WorkflowEvent>) c).events().get(0)).reason()).hasSize(Workflows.MAX_ERROR_LENGTH);
    }

    @Test
    void startStepRejectsBadNamesAndReusedNames() {
        assertThat(rejected(given(STARTED), new StartStep(ID, ""))).isEqualTo(WorkflowRejection.INVALID_NAME);
        assertThat(rejected(given(STARTED), new StartStep(ID, "s".repeat(257)))).isEqualTo(WorkflowRejection.INVALID_NAME);
        assertThat(rejected(given(STARTED, FETCH), new StartStep(ID, "fetch"))).isEqualTo(WorkflowRejection.STEP_ALREADY_STARTED);
        assertThat(rejected(given(STARTED, FETCH, new StepFailed(ID, "fetch", 1, "x")), new StartStep(ID, "fetch")))
                .isEqualTo(WorkflowRejection.STEP_ALREADY_STARTED);
        assertThat(rejected(given(STARTED, FETCH, FETCHED), new StartStep(ID, "fetch"))).isEqualTo(WorkflowRejection.STEP_ALREADY_COMPLETED);
    }

    @Test
    void oneStepRunsAtATime() {
        assertThat(rejected(given(STARTED, FETCH), new StartStep(ID, "load"))).isEqualTo(WorkflowRejection.STEP_RUNNING);
        assertThat(Workflows.decide(given(STARTED, FETCH, FETCHED), new StartStep(ID, "load")))
                .isEqualTo(Decision.accept(new StepStarted(ID, "load")));
    }

    @Test
    void aWorkflowHasAtMostMaxSteps() {
        List<WorkflowEvent> events = new ArrayList<>(List.of(STARTED));
        for (int i = 0; i < Workflows.MAX_STEPS; i++) {
            events.add(new StepStarted(ID, "s" + i));
            events.add(new StepCompleted(ID, "s" + i, i));
        }
        WorkflowState full = given(events.toArray(WorkflowEvent[]::new));
        assertThat(full.steps()).hasSize(Workflows.MAX_STEPS);
        assertThat(rejected(full, new StartStep(ID, "one more"))).isEqualTo(WorkflowRejection.TOO_MANY_STEPS);

        WorkflowState almost = given(events.subList(0, events.size() - 2).toArray(WorkflowEvent[]::new));
        assertThat(Workflows.decide(almost, new StartStep(ID, "last"))).isInstanceOf(Decision.Accepted.class);
    }

    @Test
    void completingOrFailingAStepNeedsItToBeTheRunningOne() {
        assertThat(rejected(given(STARTED), new CompleteStep(ID, "fetch", 1))).isEqualTo(WorkflowRejection.STEP_NOT_RUNNING);
        assertThat(rejected(given(STARTED, FETCH), new CompleteStep(ID, "other", 1))).isEqualTo(WorkflowRejection.STEP_NOT_RUNNING);
        assertThat(rejected(given(STARTED, FETCH), new FailStep(ID, "other", 1, "x"))).isEqualTo(WorkflowRejection.STEP_NOT_RUNNING);
        assertThat(rejected(given(STARTED, FETCH, new StepFailed(ID, "fetch", 1, "x")), new CompleteStep(ID, "fetch", 1)))
                .isEqualTo(WorkflowRejection.STEP_NOT_RUNNING);
        assertThat(rejected(given(STARTED, FETCH, FETCHED), new CompleteStep(ID, "fetch", 1)))
                .isEqualTo(WorkflowRejection.STEP_ALREADY_COMPLETED);
        assertThat(rejected(given(STARTED, FETCH, FETCHED), new FailStep(ID, "fetch", 1, "late")))
                .isEqualTo(WorkflowRejection.STEP_ALREADY_COMPLETED);
    }

    @Test
    void durationsAreNotNegative() {
        assertThat(rejected(given(STARTED, FETCH), new CompleteStep(ID, "fetch", -1))).isEqualTo(WorkflowRejection.INVALID_DURATION);
        assertThat(rejected(given(STARTED, FETCH), new FailStep(ID, "fetch", -1, "x"))).isEqualTo(WorkflowRejection.INVALID_DURATION);
        assertThat(Workflows.decide(given(STARTED, FETCH), new CompleteStep(ID, "fetch", 0))).isInstanceOf(Decision.Accepted.class);
    }

    @Test
    void aWorkflowCompletesOrFailsBetweenStepsOnly() {
        assertThat(rejected(given(STARTED, FETCH), new CompleteWorkflow(ID))).isEqualTo(WorkflowRejection.STEP_RUNNING);
        assertThat(rejected(given(STARTED, FETCH), new FailWorkflow(ID, "x"))).isEqualTo(WorkflowRejection.STEP_RUNNING);

        assertThat(Workflows.decide(given(STARTED, FETCH, FETCHED), new CompleteWorkflow(ID)))
                .isEqualTo(Decision.accept(new WorkflowCompleted(ID)));
        WorkflowState completed = given(STARTED, FETCH, FETCHED, new WorkflowCompleted(ID));
        assertThat(completed.status()).isEqualTo(Status.COMPLETED);
        assertThat(completed.endedAt()).isEqualTo(Fold.T0.plusSeconds(4));
        assertThat(completed.durationMs()).isEqualTo(3_000);

        assertThat(Workflows.decide(given(STARTED), new FailWorkflow(ID, "boom"))).isEqualTo(Decision.accept(new WorkflowFailed(ID, "boom")));
        WorkflowState failed = given(STARTED, new WorkflowFailed(ID, "boom"));
        assertThat(failed.status()).isEqualTo(Status.FAILED);
        assertThat(failed.error()).isEqualTo("boom");
    }

    @Test
    void cancellingInterruptsARunningStep() {
        assertThat(Workflows.decide(given(STARTED, FETCH), new CancelWorkflow(ID, "operator")))
                .isEqualTo(Decision.accept(new WorkflowCancelled(ID, "operator")));
        WorkflowState s = given(STARTED, FETCH, new WorkflowCancelled(ID, null));
        assertThat(s.status()).isEqualTo(Status.CANCELLED);
        assertThat(s.cancelReason()).isNull();
        assertThat(s.currentStep()).isEqualTo("fetch");
        assertThat(s.steps().get(0).status()).isEqualTo(StepStatus.RUNNING);
        assertThat(s.endedAt()).isEqualTo(Fold.T0.plusSeconds(3));
    }

    @Test
    void handlersAreRegisteredForEveryCommandType() {
        List<Class<?>> registered = new ArrayList<>();
        Workflows.TYPE.domain().handlers(new io.eventflow.aggregate.Domain.Handlers<>() {
            @Override
            public <T extends WorkflowCommand> io.eventflow.aggregate.Domain.Handlers<WorkflowState, WorkflowCommand, WorkflowEvent> on(
                    Class<T> type, java.util.function.BiFunction<WorkflowState, T, Decision<WorkflowEvent>> handler) {
                registered.add(type);
                return this;
            }
        });
        assertThat(registered).containsExactlyInAnyOrder(WorkflowCommand.class.getPermittedSubclasses());
    }
}
