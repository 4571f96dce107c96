package io.eventflow.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventflow.aggregate.StateCodec;
import io.eventflow.workflows.WorkflowState.Status;
import io.eventflow.workflows.WorkflowState.Step;
import io.eventflow.workflows.WorkflowState.StepStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkflowStateCodecTest {
    private static final StateCodec<WorkflowState> CODEC = Workflows.TYPE.stateCodec();
    private static final Instant T = Instant.parse("2026-03-04T05:06:07.089Z");

    private static WorkflowState full(String name, String error, StepStatus status) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < Workflows.MAX_STEPS; i++) {
            String stepName = (i + name).substring(0, Workflows.MAX_NAME_LENGTH);
            steps.add(new Step(stepName, status, 86_400_000L, status == StepStatus.FAILED ? error : null,
                    T.plusSeconds(i), T.plusSeconds(i + 1)));
        }
        return new WorkflowState("w-" + "9".repeat(60), Status.FAILED, name, "org-" + "1".repeat(60),
                "user-" + "2".repeat(60), null, steps, error, null, T, T.plusSeconds(1_000), T.plusSeconds(1_000), 401);
    }

    @Test
    void roundTripsEveryField() {
        WorkflowState s = new WorkflowState("w-1", Status.CANCELLED, "nightly import", "org-1", "u-1", "load",
                List.of(new Step("fetch", StepStatus.COMPLETED, 1_200L, null, T, T.plusMillis(1_200)),
                        new Step("parse", StepStatus.FAILED, 0L, "bad row 7 \u00e9\uD83D\uDE00", T.plusSeconds(2), T.plusSeconds(3)),
                        new Step("load", StepStatus.RUNNING, null, null, T.plusSeconds(4), null)),
                null, "operator \u2013 stop", T, T.plusSeconds(9), T.plusSeconds(9), Long.MAX_VALUE);
        assertThat(WorkflowsPropertiesTest.roundTrip(CODEC, s)).isEqualTo(s);
        assertThat(WorkflowsPropertiesTest.roundTrip(CODEC, WorkflowState.initial("w-2"))).isEqualTo(WorkflowState.initial("w-2"));
        assertThat(CODEC.encodedSize(WorkflowState.initial("w-2"))).isLessThan(20);
    }

    @Test
    void aWorkflowAtMaxStepsWithLongestNamesStaysUnder64KiB() {
        WorkflowState s = full("n".repeat(Workflows.MAX_NAME_LENGTH), "timeout", StepStatus.COMPLETED);
        assertThat(s.steps()).hasSize(Workflows.MAX_STEPS);
        assertThat(s.steps().get(0).name()).hasSize(Workflows.MAX_NAME_LENGTH);
        assertThat(CODEC.encodedSize(s)).isLessThan(64 * 1024);
        WorkflowState withShortErrors = full("n".repeat(Workflows.MAX_NAME_LENGTH), "timeout", StepStatus.FAILED);
        assertThat(CODEC.encodedSize(withShortErrors)).isLessThan(64 * 1024);
        assertThat(WorkflowsPropertiesTest.roundTrip(CODEC, withShortErrors)).isEqualTo(withShortErrors);
    }

    @Test
    void theLargestStateTheRulesAllowStaysBounded() {
        // Three UTF-8 bytes per char, every step failed with the longest error kept.
        String name = "\u20ac".repeat(Workflows.MAX_NAME_LENGTH);
        WorkflowState s = full(name, "\u20ac".repeat(Workflows.MAX_ERROR_LENGTH), StepStatus.FAILED);
        assertThat(CODEC.encodedSize(s)).isLessThan(WorkflowsPropertiesTest.STATE_BOUND);
        assertThat(WorkflowsPropertiesTest.roundTrip(CODEC, s)).isEqualTo(s);
    }

    @Test
    void refusesUnknownFormatsAndCorruptRecords() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CODEC.write(new DataOutputStream(bytes), WorkflowState.initial("w-1"));
        assertThatThrownBy(() -> CODEC.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), 2))
                .isInstanceOf(IOException.class);
        byte[] corrupt = bytes.toByteArray();
        corrupt[5] = 42; // the status byte after "w-1"
        assertThatThrownBy(() -> CODEC.read(new DataInputStream(new ByteArrayInputStream(corrupt)), 1))
                .isInstanceOf(IOException.class);
    }
}
