package io.eventflow.workflows;

import io.eventflow.aggregate.Recorded;
import java.time.Instant;
import java.util.List;

/** Test shorthand: events folded at the next versions, one second apart. */
final class Fold {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private Fold() {
    }

    static Recorded<WorkflowEvent> recorded(WorkflowState s, WorkflowEvent e) {
        long v = s.version() + 1;
        return new Recorded<>(e.workflowId(), v, T0.plusSeconds(v), e);
    }

    static WorkflowState evolve(WorkflowState s, WorkflowEvent e) {
        return Workflows.evolve(s, recorded(s, e));
    }

    static WorkflowState evolveAll(WorkflowState s, List<? extends WorkflowEvent> events) {
        for (WorkflowEvent e : events) {
            s = evolve(s, e);
        }
        return s;
    }
}
