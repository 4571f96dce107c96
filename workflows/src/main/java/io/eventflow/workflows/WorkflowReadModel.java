package io.eventflow.workflows;

import io.eventflow.aggregate.ReadModel;
import io.eventflow.workflows.WorkflowState.Status;
import io.eventflow.workflows.WorkflowState.Step;
import io.eventflow.workflows.WorkflowState.StepStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code workflows} read model: {@code workflowId}, {@code status} ({@code running},
 * {@code completed}, {@code failed}, {@code cancelled}), {@code name}, {@code organizationId},
 * {@code userId}, {@code currentStep}, {@code steps} (nested objects: {@code name}, {@code status}
 * ({@code running}, {@code completed}, {@code failed}), {@code durationMs}, {@code error},
 * {@code startedAt}, {@code endedAt}), {@code stepCount}, {@code failedStepCount}, {@code error},
 * {@code cancelReason}, {@code startedAt}, {@code endedAt}, {@code durationMs} (start to end in
 * milliseconds, once ended), {@code updatedAt}, {@code version}. The counts and the total duration
 * are derived, for queries and aggregations; {@link #fromDocument} ignores them. Stateless, thread-safe.
 */
final class WorkflowReadModel implements ReadModel<WorkflowState> {
    private final String mappings = resource("workflows-mappings.json");

    @Override
    public String mappings() {
        return mappings;
    }

    @Override
    public Map<String, Object> toDocument(WorkflowState s) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("workflowId", s.workflowId());
        d.put("status", s.status().label());
        d.put("name", s.name());
        d.put("organizationId", s.organizationId());
        d.put("userId", s.userId());
        d.put("currentStep", s.currentStep());
        List<Map<String, Object>> steps = new ArrayList<>(s.steps().size());
        for (Step step : s.steps()) {
            Map<String, Object> sd = new LinkedHashMap<>();
            sd.put("name", step.name());
            sd.put("status", step.status().label());
            sd.put("durationMs", step.durationMs());
            sd.put("error", step.error());
            sd.put("startedAt", text(step.startedAt()));
            sd.put("endedAt", text(step.endedAt()));
            steps.add(sd);
        }
        d.put("steps", steps);
        d.put("stepCount", s.steps().size());
        d.put("failedStepCount", s.failedStepCount());
        d.put("error", s.error());
        d.put("cancelReason", s.cancelReason());
        d.put("startedAt", text(s.startedAt()));
        d.put("endedAt", text(s.endedAt()));
        d.put("durationMs", s.durationMs());
        d.put("updatedAt", text(s.updatedAt()));
        d.put("version", s.version());
        return d;
    }

    @Override
    public WorkflowState fromDocument(Map<String, Object> d) {
        List<Step> steps = new ArrayList<>();
        if (d.get("steps") instanceof List<?> list) {
            for (Object o : list) {
                Map<?, ?> sd = (Map<?, ?>) o;
                steps.add(new Step((String) sd.get("name"), StepStatus.ofLabel((String) sd.get("status")),
                        sd.get("durationMs") instanceof Number n ? n.longValue() : null, (String) sd.get("error"),
                        instant(sd.get("startedAt")), instant(sd.get("endedAt"))));
            }
        }
        return new WorkflowState((String) d.get("workflowId"), Status.ofLabel((String) d.get("status")),
                (String) d.get("name"), (String) d.get("organizationId"), (String) d.get("userId"),
                (String) d.get("currentStep"), steps, (String) d.get("error"), (String) d.get("cancelReason"),
                instant(d.get("startedAt")), instant(d.get("endedAt")), instant(d.get("updatedAt")),
                d.get("version") instanceof Number n ? n.longValue() : 0);
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    private static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        return o instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : Instant.parse(o.toString());
    }

    static String resource(String name) {
        try (InputStream in = WorkflowReadModel.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
