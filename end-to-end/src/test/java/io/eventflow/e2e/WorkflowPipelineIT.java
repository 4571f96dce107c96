package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventflow.eventstore.EventIds;
import io.eventflow.projection.ProjectorCli;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.workflow.WorkflowCommandEnvelope;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workflows through the whole pipeline on the real servers: commands, the command-service, the
 * projector (the {@code workflows} read model and the event store), the API ({@code /workflows},
 * {@code /workflows/{id}}, {@code /workflows/stats}, a workflow's history with {@code asOf}), and
 * {@code projector-cli rebuild workflows}. Three runs over two organizations: failed at a step,
 * completed, cancelled while a step runs.
 */
class WorkflowPipelineIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String ORG1_KEY = "it-wf-org-1-key";
    private static final String ORG2_KEY = "it-wf-org-2-key";

    private Pipeline pipeline;

    @BeforeEach
    void start() throws Exception {
        pipeline = new Pipeline(Map.of(), ORG1_KEY + ":org-1," + ORG2_KEY + ":org-2");
    }

    @AfterEach
    void stop() {
        pipeline.close();
    }

    private List<CommandResult> awaitResults(int count) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(pipeline::workflowResults,
                r -> r.size() >= count);
    }

    private JsonNode awaitOk(String path, Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            Pipeline.Response r = pipeline.get(path);
            last[0] = r.body();
            return r.status() == 200 && condition.test(r.body());
        });
        return last[0];
    }

    private void sendAll(List<WorkflowCommandEnvelope> commands) throws Exception {
        for (WorkflowCommandEnvelope c : commands) {
            pipeline.sendWorkflow(c);
        }
    }

    /** Status -> count from a stats answer's {@code by_status} rows. */
    private static Map<String, Long> byStatus(JsonNode stats) {
        Map<String, Long> out = new TreeMap<>();
        for (JsonNode row : stats.path("by_status")) {
            out.put(row.path("status").asText(), row.path("count").asLong());
        }
        return out;
    }

    /** The three runs; wf-fail's first three events are accepted before the rest is sent. */
    private void runThreeWorkflows() throws Exception {
        sendAll(List.of(
                WorkflowCommands.start("wf-fail", "nightly import", "org-1", "u-1", 0L),
                WorkflowCommands.startStep("wf-fail", "fetch", "org-1", "u-1", 1L),
                WorkflowCommands.completeStep("wf-fail", "fetch", 1_200, "org-1", "u-1", 2L)));
        awaitResults(3);
        // asOf below takes version 3's timestamp: later events must not share its millisecond.
        Thread.sleep(50);
        sendAll(List.of(
                WorkflowCommands.startStep("wf-fail", "transform", "org-1", "u-1", 3L),
                WorkflowCommands.failStep("wf-fail", "transform", 300, "schema mismatch", "org-1", "u-1", 4L),
                WorkflowCommands.fail("wf-fail", "transform failed", "org-1", "u-1", 5L),
                WorkflowCommands.start("wf-done", "report", "org-1", "u-2", 0L),
                WorkflowCommands.startStep("wf-done", "render", "org-1", "u-2", 1L),
                WorkflowCommands.completeStep("wf-done", "render", 800, "org-1", "u-2", 2L),
                WorkflowCommands.complete("wf-done", "org-1", "u-2", 3L),
                WorkflowCommands.start("wf-cancel", "backfill", "org-2", "u-3", 0L),
                WorkflowCommands.startStep("wf-cancel", "load", "org-2", "u-3", 1L),
                WorkflowCommands.cancel("wf-cancel", "superseded", "org-2", "u-3", 2L)));
        List<CommandResult> results = awaitResults(13);
        assertThat(results).hasSize(13).allSatisfy(r -> {
            assertThat(r.getStatus()).as("%s", r).isEqualTo(CommandStatus.ACCEPTED);
            assertThat(r.getAggregateType()).isEqualTo("Workflow");
        });
        awaitOk("/workflows/stats", b -> b.path("total").asLong() == 3 && byStatus(b).values().stream()
                .mapToLong(Long::longValue).sum() == 3 && !byStatus(b).containsKey("running"));
    }

    @Test
    void runsAreAnsweredFromTheReadModelTheEventStoreAndTheirHistoryAsOf() throws Exception {
        runThreeWorkflows();

        JsonNode failed = awaitOk("/workflows/wf-fail", b -> b.path("version").asLong() == 6);
        assertThat(failed.path("workflowId").asText()).isEqualTo("wf-fail");
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("name").asText()).isEqualTo("nightly import");
        assertThat(failed.path("organizationId").asText()).isEqualTo("org-1");
        assertThat(failed.path("error").asText()).isEqualTo("transform failed");
        assertThat(failed.path("stepCount").asInt()).isEqualTo(2);
        assertThat(failed.path("failedStepCount").asInt()).isEqualTo(1);
        assertThat(failed.path("steps")).extracting(s -> s.path("name").asText() + ":" + s.path("status").asText())
                .containsExactly("fetch:completed", "transform:failed");
        assertThat(failed.path("steps").get(0).path("durationMs").asLong()).isEqualTo(1_200);
        assertThat(failed.path("steps").get(1).path("error").asText()).isEqualTo("schema mismatch");
        assertThat(failed.path("endedAt").isTextual()).isTrue();
        assertThat(failed.path("position").path("offset").isNumber()).isTrue();

        JsonNode done = awaitOk("/workflows/wf-done", b -> b.path("version").asLong() == 4);
        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(done.path("currentStep").isNull() || done.path("currentStep").isMissingNode()).isTrue();
        JsonNode cancelled = awaitOk("/workflows/wf-cancel", b -> b.path("version").asLong() == 3);
        assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
        assertThat(cancelled.path("cancelReason").asText()).isEqualTo("superseded");
        assertThat(cancelled.path("currentStep").asText()).as("interrupted while running").isEqualTo("load");

        JsonNode all = pipeline.get("/workflows?size=10").body();
        assertThat(all.path("total").asLong()).isEqualTo(3);
        assertThat(all.path("workflows")).extracting(w -> w.path("workflowId").asText())
                .containsExactlyInAnyOrder("wf-fail", "wf-done", "wf-cancel");
        JsonNode stats = pipeline.get("/workflows/stats").body();
        assertThat(stats.path("total").asLong()).isEqualTo(3);
        assertThat(byStatus(stats)).containsExactlyInAnyOrderEntriesOf(
                Map.of("failed", 1L, "completed", 1L, "cancelled", 1L));

        // The event store: every event, under its type, beside no payment.
        JsonNode events = awaitOk("/events?aggregateType=Workflow&size=100", b -> b.path("total").asLong() >= 13);
        assertThat(events.path("total").asLong()).isEqualTo(13);
        assertThat(pipeline.get("/events?aggregateType=Payment&size=1").body().path("total").asLong()).isZero();

        String history = "/aggregates/wf-fail/events?aggregateType=Workflow";
        JsonNode full = awaitOk(history, b -> b.path("events").size() >= 6);
        assertThat(full.path("events")).extracting(e -> e.path("eventType").asText()).containsExactly(
                "WorkflowStarted", "StepStarted", "StepCompleted", "StepStarted", "StepFailed", "WorkflowFailed");
        assertThat(full.path("events")).extracting(e -> e.path("eventId").asText()).containsExactly(
                EventIds.of("Workflow", "wf-fail", 1), EventIds.of("Workflow", "wf-fail", 2),
                EventIds.of("Workflow", "wf-fail", 3), EventIds.of("Workflow", "wf-fail", 4),
                EventIds.of("Workflow", "wf-fail", 5), EventIds.of("Workflow", "wf-fail", 6));
        assertThat(full.path("events").get(2).path("eventData").path("durationMs").asLong()).isEqualTo(1_200);
        // The history's state is the read model's document: one fold.
        for (String field : List.of("workflowId", "status", "name", "organizationId", "userId", "steps", "stepCount",
                "failedStepCount", "error", "startedAt", "endedAt", "version")) {
            assertThat(full.path("state").path(field)).as(field).isEqualTo(failed.path(field));
        }

        String asOf = full.path("events").get(2).path("timestamp").asText();
        JsonNode then = pipeline.get(history + "&asOf=" + URLEncoder.encode(asOf, StandardCharsets.UTF_8)).body();
        assertThat(then.path("events")).hasSize(3);
        assertThat(then.path("version").asLong()).isEqualTo(3);
        assertThat(then.path("state").path("status").asText()).isEqualTo("running");
        assertThat(then.path("state").path("version").asLong()).isEqualTo(3);
        assertThat(then.path("state").path("steps")).extracting(s -> s.path("name").asText() + ":"
                + s.path("status").asText()).containsExactly("fetch:completed");

        // Each organization sees its own workflows only.
        JsonNode org2 = pipeline.get("/workflows?size=10", ORG2_KEY).body();
        assertThat(org2.path("workflows")).extracting(w -> w.path("workflowId").asText()).containsExactly("wf-cancel");
        assertThat(pipeline.get("/workflows/wf-fail", ORG2_KEY).status()).isEqualTo(404);
        assertThat(pipeline.get(history, ORG2_KEY).status()).isEqualTo(404);
        assertThat(pipeline.get("/workflows/stats", ORG1_KEY).body().path("total").asLong()).isEqualTo(2);
        assertThat(pipeline.get("/workflows/no-such-workflow").status()).isEqualTo(404);
    }

    @Test
    void rebuildingTheWorkflowsReadModelGivesTheSameDocumentsAfterTheAliasSwap() throws Exception {
        runThreeWorkflows();
        Map<String, JsonNode> before = new HashMap<>();
        for (String id : List.of("wf-fail", "wf-done", "wf-cancel")) {
            before.put(id, pipeline.get("/workflows/" + id).body());
        }
        JsonNode statsBefore = pipeline.get("/workflows/stats").body();
        assertThat(before.get("wf-fail").path("version").asLong()).isEqualTo(6);

        StringWriter output = new StringWriter();
        PrintWriter out = new PrintWriter(output, true);
        int status = ProjectorCli.execute(pipeline.projectorConfig(), Map.of(), out, out, "rebuild", "workflows");
        System.out.println(output);
        assertThat(status).as("projector-cli rebuild workflows: %s", output).isZero();
        String alias = pipeline.indexPrefix + "workflows";
        assertThat(output.toString()).contains("swapped alias " + alias + ": " + alias + "-v1 -> " + alias + "-v2");

        for (String id : before.keySet()) {
            assertThat(pipeline.get("/workflows/" + id).body()).as(id).isEqualTo(before.get(id));
        }
        assertThat(pipeline.get("/workflows/stats").body()).isEqualTo(statsBefore);
        // The payments read model and the event store were not touched.
        StringWriter statusOut = new StringWriter();
        PrintWriter so = new PrintWriter(statusOut, true);
        assertThat(ProjectorCli.execute(pipeline.projectorConfig(), Map.of(), so, so, "status")).isZero();
        assertThat(statusOut.toString()).contains(alias + " -> " + alias + "-v2")
                .contains(pipeline.indexPrefix + "payments -> " + pipeline.indexPrefix + "payments-v1")
                .contains(pipeline.indexPrefix + "events -> " + pipeline.indexPrefix + "events-v1");

        // The live projector writes into the new index: a new workflow appears after the swap.
        pipeline.sendWorkflow(WorkflowCommands.start("wf-after", "after the swap", "org-1", "u-1", 0L));
        JsonNode after = awaitOk("/workflows/wf-after", b -> b.path("version").asLong() == 1);
        assertThat(after.path("status").asText()).isEqualTo("running");
        // By id is a realtime get; stats is a search, which sees the document after the next refresh.
        awaitOk("/workflows/stats", b -> b.path("total").asLong() == 4);
    }
}
