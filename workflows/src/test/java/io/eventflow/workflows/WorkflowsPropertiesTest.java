package io.eventflow.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.aggregate.Decision;
import io.eventflow.aggregate.ReadModel;
import io.eventflow.aggregate.StateCodec;
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
import io.eventflow.workflows.WorkflowState.StepStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@code decide}/{@code evolve} over random sequences of workflow commands. Each
 * property runs {@link #TRIES} sequences from fixed seeds (so a failure reproduces), and a failure
 * reports its seed and the shortest failing prefix of the sequence. One sequence in twenty is a
 * long one that runs past {@link Workflows#MAX_STEPS}.
 */
class WorkflowsPropertiesTest {
    private static final String ID = "w-1";
    private static final int TRIES = 2_000;
    /** What the largest state the rules allow encodes to stays under (see WorkflowStateCodecTest). */
    static final int STATE_BOUND = 512 * 1024;
    private static final String[] NAMES = {"fetch", "parse", "load", "notify", "", " ", "n".repeat(257), "x".repeat(256)};
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String name(SplittableRandom r) {
        return r.nextInt(10) == 0 ? NAMES[4 + r.nextInt(4)] : NAMES[r.nextInt(4)];
    }

    private static long duration(SplittableRandom r) {
        return r.nextInt(8) == 0 ? r.nextLong(-3, 1) : r.nextLong(0, 100_000);
    }

    private static String error(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> "e".repeat(r.nextInt(2_000));
            case 1 -> null;
            default -> "timeout";
        };
    }

    private static WorkflowCommand command(SplittableRandom r, String step) {
        int kind = r.nextInt(100);
        if (kind < 6) {
            return new StartWorkflow(ID, "org-1", "u-1", r.nextInt(5) == 0 ? name(r) : "wf");
        }
        if (kind < 40) {
            return new StartStep(ID, step);
        }
        if (kind < 65) {
            return new CompleteStep(ID, step, duration(r));
        }
        if (kind < 82) {
            return new FailStep(ID, step, duration(r), error(r));
        }
        if (kind < 90) {
            return new CompleteWorkflow(ID);
        }
        if (kind < 95) {
            return new FailWorkflow(ID, error(r));
        }
        return new CancelWorkflow(ID, r.nextBoolean() ? null : error(r));
    }

    private static List<WorkflowCommand> sequence(SplittableRandom r) {
        List<WorkflowCommand> commands = new ArrayList<>();
        if (r.nextInt(20) == 0) {
            commands.add(new StartWorkflow(ID, "org-1", "u-1", "long"));
            for (int i = 0; i < Workflows.MAX_STEPS + 20; i++) {
                String step = "s" + i + "-" + "x".repeat(r.nextInt(250));
                commands.add(new StartStep(ID, step));
                // Valid durations: a step left running would block every later one.
                long ms = r.nextLong(0, 100_000);
                commands.add(r.nextInt(4) == 0 ? new FailStep(ID, step, ms, error(r)) : new CompleteStep(ID, step, ms));
                if (r.nextInt(100) == 0) {
                    commands.add(command(r, step));
                }
            }
            commands.add(command(r, "s0"));
            return commands;
        }
        int n = r.nextInt(61);
        for (int i = 0; i < n; i++) {
            commands.add(command(r, name(r)));
        }
        return commands;
    }

    /** Every accepted event and the state after it, in order. */
    private record Applied(WorkflowEvent event, WorkflowState after) {
    }

    private static List<Applied> run(List<WorkflowCommand> commands) {
        WorkflowState state = WorkflowState.initial(ID);
        List<Applied> applied = new ArrayList<>();
        for (WorkflowCommand c : commands) {
            if (Workflows.decide(state, c) instanceof Decision.Accepted<WorkflowEvent> accepted) {
                for (WorkflowEvent e : accepted.events()) {
                    state = Fold.evolve(state, e);
                    applied.add(new Applied(e, state));
                }
            }
        }
        return applied;
    }

    /** Checks {@code property} on many random sequences; on failure, shrinks to the shortest failing prefix. */
    private static void forAll(Consumer<List<WorkflowCommand>> property) {
        for (long seed = 0; seed < TRIES; seed++) {
            List<WorkflowCommand> commands = sequence(new SplittableRandom(seed));
            try {
                property.accept(commands);
            } catch (AssertionError e) {
                List<WorkflowCommand> shortest = commands;
                for (int n = 0; n < commands.size(); n++) {
                    try {
                        property.accept(commands.subList(0, n));
                    } catch (AssertionError shorter) {
                        shortest = commands.subList(0, n);
                        break;
                    }
                }
                String shown = shortest.size() <= 20 ? shortest.toString() : shortest.size() + " commands ending with "
                        + shortest.subList(shortest.size() - 3, shortest.size());
                throw new AssertionError("property fails for seed " + seed + "; shortest failing prefix: " + shown, e);
            }
        }
    }

    @Test
    void versionsAreConsecutiveFromOne() {
        forAll(commands -> {
            List<Applied> applied = run(commands);
            for (int i = 0; i < applied.size(); i++) {
                assertThat(applied.get(i).after().version()).isEqualTo(i + 1);
            }
        });
    }

    @Test
    void aWorkflowStartsOnceBeforeAnythingElseAndNothingFollowsItsEnd() {
        forAll(commands -> {
            List<Applied> applied = run(commands);
            for (int i = 0; i < applied.size(); i++) {
                WorkflowEvent e = applied.get(i).event();
                assertThat(e instanceof WorkflowStarted).as("event %d is the start", i).isEqualTo(i == 0);
                boolean end = e instanceof WorkflowCompleted || e instanceof WorkflowFailed || e instanceof WorkflowCancelled;
                if (end) {
                    assertThat(i).as("an end is the last event").isEqualTo(applied.size() - 1);
                }
                assertThat(applied.get(i).after().status().finished()).isEqualTo(end);
            }
        });
    }

    @Test
    void aStepEndsOnlyWhileRunningAndCompletesAtMostOnce() {
        forAll(commands -> {
            Set<String> completed = new HashSet<>();
            Map<String, Integer> starts = new HashMap<>();
            String running = null;
            for (Applied a : run(commands)) {
                if (a.event() instanceof StepStarted e) {
                    assertThat(running).as("one step at a time").isNull();
                    assertThat(starts.merge(e.stepName(), 1, Integer::sum)).as("started once").isEqualTo(1);
                    running = e.stepName();
                }
                if (a.event() instanceof StepCompleted e) {
                    assertThat(e.stepName()).isEqualTo(running);
                    assertThat(completed.add(e.stepName())).as("completes once").isTrue();
                    assertThat(e.durationMs()).isNotNegative();
                    running = null;
                }
                if (a.event() instanceof StepFailed e) {
                    assertThat(e.stepName()).isEqualTo(running);
                    assertThat(completed).doesNotContain(e.stepName());
                    assertThat(e.durationMs()).isNotNegative();
                    running = null;
                }
                if (a.event() instanceof WorkflowCompleted || a.event() instanceof WorkflowFailed) {
                    assertThat(running).as("no step runs when the workflow completes or fails").isNull();
                }
                assertThat(a.after().currentStep()).isEqualTo(running);
            }
        });
    }

    @Test
    void theStateStaysBounded() {
        StateCodec<WorkflowState> codec = Workflows.TYPE.stateCodec();
        forAll(commands -> {
            List<Applied> applied = run(commands);
            for (Applied a : applied) {
                WorkflowState s = a.after();
                assertThat(s.steps().size()).isLessThanOrEqualTo(Workflows.MAX_STEPS);
                assertThat(s.name()).isNotBlank().hasSizeLessThanOrEqualTo(Workflows.MAX_NAME_LENGTH);
                if (s.error() != null) {
                    assertThat(s.error()).hasSizeLessThanOrEqualTo(Workflows.MAX_ERROR_LENGTH);
                }
                if (s.cancelReason() != null) {
                    assertThat(s.cancelReason()).hasSizeLessThanOrEqualTo(Workflows.MAX_ERROR_LENGTH);
                }
            }
            if (applied.isEmpty()) {
                return;
            }
            // Steps are only ever added or ended, so the last state holds every step there was.
            WorkflowState last = applied.get(applied.size() - 1).after();
            assertThat(last.steps().stream().map(WorkflowState.Step::name).distinct().count()).isEqualTo(last.steps().size());
            assertThat(last.steps().stream().filter(step -> step.status() == StepStatus.RUNNING).count()).isLessThanOrEqualTo(1);
            for (WorkflowState.Step step : last.steps()) {
                assertThat(step.name()).isNotBlank().hasSizeLessThanOrEqualTo(Workflows.MAX_NAME_LENGTH);
                if (step.error() != null) {
                    assertThat(step.error()).hasSizeLessThanOrEqualTo(Workflows.MAX_ERROR_LENGTH);
                }
            }
            assertThat(codec.encodedSize(last)).isLessThan(STATE_BOUND);
        });
    }

    @Test
    void theReadModelDocumentAndTheStoredStateReadBackAsTheState() {
        ReadModel<WorkflowState> readModel = Workflows.TYPE.readModel();
        StateCodec<WorkflowState> codec = Workflows.TYPE.stateCodec();
        forAll(commands -> {
            List<Applied> applied = run(commands);
            for (int i = 0; i < applied.size(); i++) {
                // Every state of short histories, the last of long ones.
                if (applied.size() > 100 && i != applied.size() - 1) {
                    continue;
                }
                WorkflowState s = applied.get(i).after();
                assertThat(readModel.fromDocument(readModel.toDocument(s))).isEqualTo(s);
                assertThat(roundTrip(codec, s)).isEqualTo(s);
            }
            if (!applied.isEmpty()) {
                WorkflowState last = applied.get(applied.size() - 1).after();
                assertThat(readModel.fromDocument(viaJson(readModel.toDocument(last)))).isEqualTo(last);
            }
        });
    }

    /** Guards the generator: a property that holds over sequences that never reach a rule proves little. */
    @Test
    void theSequencesReachEveryRuleAndTheStepLimit() {
        Set<String> codes = new HashSet<>();
        int fullWorkflows = 0;
        for (long seed = 0; seed < TRIES; seed++) {
            WorkflowState state = WorkflowState.initial(ID);
            for (WorkflowCommand c : sequence(new SplittableRandom(seed))) {
                Decision<WorkflowEvent> d = Workflows.decide(state, c);
                if (d instanceof Decision.Rejected<WorkflowEvent> rejected) {
                    codes.add(rejected.rejection().code());
                } else {
                    for (WorkflowEvent e : ((Decision.Accepted<WorkflowEvent>) d).events()) {
                        state = Fold.evolve(state, e);
                    }
                }
            }
            fullWorkflows += state.steps().size() == Workflows.MAX_STEPS ? 1 : 0;
        }
        assertThat(codes).containsExactlyInAnyOrderElementsOf(
                java.util.Arrays.stream(WorkflowRejection.values()).map(Enum::name).toList());
        assertThat(fullWorkflows).isPositive();
    }

    /** The document as Elasticsearch hands it back: through JSON, small longs read back as ints. */
    static Map<String, Object> viaJson(Map<String, Object> document) {
        try {
            return JSON.readValue(JSON.writeValueAsString(document), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static WorkflowState roundTrip(StateCodec<WorkflowState> codec, WorkflowState s) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            codec.write(new DataOutputStream(bytes), s);
            return codec.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), codec.format());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
