package io.eventflow.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.aggregate.ReadModel;
import io.eventflow.workflows.WorkflowEvent.StepCompleted;
import io.eventflow.workflows.WorkflowEvent.StepFailed;
import io.eventflow.workflows.WorkflowEvent.StepStarted;
import io.eventflow.workflows.WorkflowEvent.WorkflowCompleted;
import io.eventflow.workflows.WorkflowEvent.WorkflowStarted;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkflowReadModelTest {
    private static final ReadModel<WorkflowState> READ_MODEL = Workflows.TYPE.readModel();
    private static final String ID = "w-1";

    private static WorkflowState completed() {
        return Fold.evolveAll(WorkflowState.initial(ID), List.of(new WorkflowStarted(ID, "org-1", "u-1", "import"),
                new StepStarted(ID, "fetch"), new StepFailed(ID, "fetch", 500, "timeout"),
                new StepStarted(ID, "fetch-2"), new StepCompleted(ID, "fetch-2", 700), new WorkflowCompleted(ID)));
    }

    @Test
    void theDocumentHasTheStepsCountsAndTotalDuration() {
        Map<String, Object> d = READ_MODEL.toDocument(completed());
        assertThat(d).containsEntry("workflowId", ID).containsEntry("status", "completed").containsEntry("name", "import")
                .containsEntry("organizationId", "org-1").containsEntry("userId", "u-1").containsEntry("currentStep", null)
                .containsEntry("stepCount", 2).containsEntry("failedStepCount", 1)
                .containsEntry("startedAt", "2026-01-01T00:00:01Z").containsEntry("endedAt", "2026-01-01T00:00:06Z")
                .containsEntry("durationMs", 5_000L).containsEntry("updatedAt", "2026-01-01T00:00:06Z")
                .containsEntry("version", 6L);
        assertThat(d.get("steps")).isEqualTo(List.of(
                step("fetch", "failed", 500L, "timeout", "2026-01-01T00:00:02Z", "2026-01-01T00:00:03Z"),
                step("fetch-2", "completed", 700L, null, "2026-01-01T00:00:04Z", "2026-01-01T00:00:05Z")));
        assertThat(READ_MODEL.toDocument(WorkflowState.initial(ID))).containsEntry("status", null).containsEntry("durationMs", null)
                .containsEntry("version", 0L);
    }

    private static Map<String, Object> step(String name, String status, Long durationMs, String error, String startedAt,
            String endedAt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("status", status);
        m.put("durationMs", durationMs);
        m.put("error", error);
        m.put("startedAt", startedAt);
        m.put("endedAt", endedAt);
        return m;
    }

    @Test
    void aDocumentReadsBackWithItsPosition() {
        WorkflowState s = completed();
        Map<String, Object> d = WorkflowsPropertiesTest.viaJson(READ_MODEL.toDocument(s));
        d.put("position", Map.of("partition", 3, "offset", 42));
        assertThat(READ_MODEL.fromDocument(d)).isEqualTo(s);
        assertThat(READ_MODEL.fromDocument(WorkflowsPropertiesTest.viaJson(READ_MODEL.toDocument(WorkflowState.initial(ID)))))
                .isEqualTo(WorkflowState.initial(ID));
    }

    @Test
    void theMappingsAreStrictAndDeclareEveryDocumentField() throws Exception {
        JsonNode m = new ObjectMapper().readTree(READ_MODEL.mappings());
        assertThat(m.path("dynamic").asText()).isEqualTo("strict");
        JsonNode p = m.path("properties");
        assertThat(p.path("steps").path("type").asText()).isEqualTo("nested");
        assertThat(p.path("version").path("type").asText()).isEqualTo("long");
        assertThat(p.path("position").path("properties").path("partition").path("type").asText()).isEqualTo("integer");
        assertThat(p.path("position").path("properties").path("offset").path("type").asText()).isEqualTo("long");
        Map<String, Object> d = READ_MODEL.toDocument(completed());
        for (String field : d.keySet()) {
            assertThat(p.has(field)).as(field).isTrue();
        }
        for (Object step : (List<?>) d.get("steps")) {
            for (Object field : ((Map<?, ?>) step).keySet()) {
                assertThat(p.path("steps").path("properties").has((String) field)).as("steps." + field).isTrue();
            }
        }
        assertThat(p.path("startedAt").path("type").asText()).isEqualTo("date");
        assertThat(p.path("steps").path("properties").path("durationMs").path("type").asText()).isEqualTo("long");
    }
}
