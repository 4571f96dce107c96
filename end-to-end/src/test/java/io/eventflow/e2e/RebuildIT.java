package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import co.elastic.clients.elasticsearch._types.VersionType;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import com.fasterxml.jackson.databind.JsonNode;
import io.eventflow.projection.ProjectionDocuments;
import io.eventflow.projection.ProjectorCli;
import io.eventflow.projection.ProjectorConfig;
import io.eventflow.schemas.EventEnvelope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Rebuilds of the event store and the payments read model with the real servers, while the live
 * projector, commands and queries go on: verified swap, a new read-model field, a failure halfway
 * and a rollback.
 */
class RebuildIT {
    private static final Duration WAIT = Duration.ofMinutes(3);

    /** Runs the tool in-process; its output goes to the test log and is kept for assertions. */
    private static final class Cli {
        final StringBuffer output = new StringBuffer();

        int run(Map<String, String> config, String... args) {
            Writer tee = new Writer() {
                @Override
                public void write(char[] buf, int off, int len) {
                    output.append(buf, off, len);
                    System.out.print(new String(buf, off, len));
                }

                @Override
                public void flush() {
                    System.out.flush();
                }

                @Override
                public void close() {
                }
            };
            PrintWriter out = new PrintWriter(tee, true);
            System.out.println("$ projector-cli " + String.join(" ", args));
            return ProjectorCli.execute(config, Map.of(), out, out, args);
        }
    }

    @Test
    void rebuildingBothModelsUnderLoadKeepsEveryQueryCompleteAndEndsEqualToTheFold() throws Exception {
        try (Pipeline p = new Pipeline()) {
            int seeded = 400;
            for (int i = 0; i < seeded; i++) {
                p.send(Commands.process("pay-" + i, 10_000, "EUR", "org-" + (i % 3), "u-" + (i % 5), null));
            }
            for (int i = 0; i < seeded; i += 2) {
                p.send(Commands.refund("pay-" + i, 2_500, "org-" + (i % 3), "u-" + (i % 5), null));
            }
            await().atMost(WAIT).until(() -> p.get("/payments/stats").body().path("total").asLong() == seeded
                    && p.get("/events?size=1").body().path("total").asLong() == seeded + seeded / 2);
            long seededEvents = seeded + seeded / 2;

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                int next = seeded;
                while (running.get()) {
                    try {
                        int i = next++;
                        p.send(Commands.process("pay-" + i, 10_000, "EUR", "org-" + (i % 3), "u-" + (i % 5), null));
                        int r = java.util.concurrent.ThreadLocalRandom.current().nextInt(i);
                        p.send(Commands.refund("pay-" + r, 1_000, "org-" + (r % 3), "u-" + (r % 5), null));
                        sent.addAndGet(2);
                        Thread.sleep(5);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
            AtomicLong queries = new AtomicLong();
            AtomicLong backwards = new AtomicLong();
            CompletableFuture<Void> reads = CompletableFuture.runAsync(() -> {
                long lastPayments = 0;
                long lastEvents = 0;
                while (running.get()) {
                    try {
                        JsonNode payments = p.get("/payments/stats").body();
                        long total = payments.path("total").asLong();
                        long byStatus = 0;
                        for (JsonNode s : payments.path("by_status")) {
                            byStatus += s.path("count").asLong();
                        }
                        long events = p.get("/events?size=1").body().path("total").asLong();
                        queries.addAndGet(2);
                        if (total < seeded || byStatus != total) {
                            violations.add("payments total " + total + ", by status " + byStatus);
                        }
                        if (events < seededEvents) {
                            violations.add("events total " + events + " < " + seededEvents);
                        }
                        if (total < lastPayments || events < lastEvents) {
                            backwards.incrementAndGet();
                        }
                        lastPayments = Math.max(lastPayments, total);
                        lastEvents = Math.max(lastEvents, events);
                        Thread.sleep(20);
                    } catch (Exception e) {
                        violations.add(e.toString());
                    }
                }
            });

            Cli cli = new Cli();
            assertThat(cli.run(p.projectorConfig(), "rebuild", "events", "--progress-interval-ms", "500")).isZero();
            assertThat(cli.run(p.projectorConfig(), "rebuild", "payments", "--progress-interval-ms", "500")).isZero();
            running.set(false);
            load.get(1, TimeUnit.MINUTES);
            reads.get(1, TimeUnit.MINUTES);
            System.out.printf("during the rebuilds: %d commands sent, %d queries, %d read a lower count than an "
                    + "earlier one%n", sent.get(), queries.get(), backwards.get());
            assertThat(cli.output).contains("verified: same documents and versions as of the same offsets")
                    .contains("swapped alias " + p.indexPrefix + "events: " + p.indexPrefix + "events-v1 -> "
                            + p.indexPrefix + "events-v2")
                    .contains("swapped alias " + p.indexPrefix + "payments: " + p.indexPrefix + "payments-v1 -> "
                            + p.indexPrefix + "payments-v2");
            assertThat(violations).as("queries that saw a partial index").isEmpty();
            assertThat(queries.get()).isGreaterThan(10);

            int commands = (int) seededEvents + sent.get();
            await().atMost(WAIT).until(() -> p.results().size() >= commands);
            List<ConsumerRecord<byte[], byte[]>> records = p.eventRecords();
            Map<String, PaymentView> fold = new HashMap<>();
            Set<String> eventIds = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                EventEnvelope e = p.decodeEvent(r.value());
                eventIds.add(e.getEventId());
                fold.put(e.getAggregateId(), PaymentFolds.fold(fold.get(e.getAggregateId()), e, null));
            }
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(p.get("/events?size=1").body().path("total").asLong()).isEqualTo(eventIds.size());
                assertThat(p.get("/payments/stats").body().path("total").asLong()).isEqualTo(fold.size());
            });
            Map<String, JsonNode> docs = new HashMap<>();
            for (String id : fold.keySet()) {
                docs.put(id, p.get("/payments/" + id).body());
            }
            fold.forEach((id, view) -> {
                JsonNode d = docs.get(id);
                assertThat(d.path("version").asLong()).as(id).isEqualTo(view.version());
                assertThat(d.path("status").asText()).as(id).isEqualTo(view.status());
                assertThat(d.path("refundAmount").asLong()).as(id).isEqualTo(view.refundAmount());
                assertThat(d.path("refundCount").asInt()).as(id).isEqualTo(view.refundCount());
            });
            Cli status = new Cli();
            assertThat(status.run(p.projectorConfig(), "status")).isZero();
            assertThat(status.output).contains(p.indexPrefix + "payments -> " + p.indexPrefix + "payments-v2")
                    .contains(p.indexPrefix + "events -> " + p.indexPrefix + "events-v2").contains("retired");
        }
    }

    @Test
    void aFieldAddedToTheReadModelIsFilledForEveryPaymentByARebuild() throws Exception {
        try (ProjectorHarness h = new ProjectorHarness()) {
            h.produce(300, 4, Duration.ZERO);
            // The read model as the previous projector version wrote it: no refundCount in mapping or documents.
            String old = h.indices.alias("payments") + "-v1";
            String mapping = """
                    {"aliases": {"%s": {"is_write_index": true}},
                     "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                     "mappings": {"dynamic": "strict", "properties": {
                       "paymentId": {"type": "keyword"}, "status": {"type": "keyword"}, "amount": {"type": "long"},
                       "currency": {"type": "keyword"}, "organizationId": {"type": "keyword"},
                       "userId": {"type": "keyword"}, "processedAt": {"type": "date"}, "failedAt": {"type": "date"},
                       "refundedAt": {"type": "date"}, "refundAmount": {"type": "long"}, "error": {"type": "text"},
                       "updatedAt": {"type": "date"}, "version": {"type": "long"}}}}""".formatted(h.indices.alias("payments"));
            h.es.indices().create(c -> c.index(old).withJson(new StringReader(mapping)));
            List<BulkOperation> ops = new ArrayList<>();
            h.expected.forEach((id, e) -> {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("paymentId", id);
                doc.put("status", e.status());
                doc.put("amount", e.amount());
                doc.put("currency", "EUR");
                doc.put("refundAmount", e.refunded());
                doc.put("version", e.version());
                ops.add(BulkOperation.of(b -> b.index(x -> x.index(old).id(id).version(e.version())
                        .versionType(VersionType.External).document(doc))));
            });
            assertThat(h.es.bulk(b -> b.operations(ops).refresh(co.elastic.clients.elasticsearch._types.Refresh.True))
                    .errors()).isFalse();

            h.start(new SimpleMeterRegistry()); // the new projector version: adds the field to the mapping
            h.awaitAllIndexed(WAIT);
            assertThat(h.views().values()).as("documents the old version wrote are not rewritten")
                    .allSatisfy(v -> assertThat(v.refundCount()).isZero());

            Cli cli = new Cli();
            assertThat(cli.run(h.config(), "rebuild", "payments")).isZero();

            Map<String, PaymentView> views = h.views();
            assertThat(views).hasSize(h.expected.size());
            h.expected.forEach((id, e) -> {
                PaymentView v = views.get(id);
                assertThat(v.refundCount()).as(id).isEqualTo((int) (e.refunded() / 1_000));
                assertThat(v.version()).as(id).isEqualTo(e.version());
                assertThat(v.status()).as(id).isEqualTo(e.status());
            });
            assertThat(views.values().stream().mapToInt(PaymentView::refundCount).sum()).isPositive();
        }
    }

    @Test
    void aRebuildThatLosesElasticsearchLeavesTheAliasAloneAndRollbackRestoresThePreviousIndex() throws Exception {
        String stack = System.getenv("EVENTFLOW_STACK");
        assertThat(stack).as("EVENTFLOW_STACK (bin/test sets it) to stop and start Elasticsearch").isNotBlank();
        try (ProjectorHarness h = new ProjectorHarness()) {
            h.start(new SimpleMeterRegistry());
            h.produce(10_000, 4, Duration.ZERO);
            h.awaitAllIndexed(WAIT);
            String alias = h.indices.alias("payments");

            // A slow rebuild (small bulks, one at a time), so that Elasticsearch can stop halfway.
            Map<String, String> slow = new HashMap<>(h.config());
            slow.put(ProjectorConfig.BATCH_MAX_EVENTS, "100");
            slow.put(ProjectorConfig.MAX_IN_FLIGHT_BULKS, "1");
            slow.put(ProjectorConfig.REBUILD_STALL_TIMEOUT_MS, "5000");
            Cli failing = new Cli();
            CompletableFuture<Integer> rebuild = CompletableFuture.supplyAsync(
                    () -> failing.run(slow, "rebuild", "payments", "--progress-interval-ms", "200"));
            Pattern percent = Pattern.compile("(\\d+\\.\\d)%");
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
                Matcher m = percent.matcher(failing.output);
                double last = 0;
                while (m.find()) {
                    last = Double.parseDouble(m.group(1));
                }
                return last >= 5 || rebuild.isDone();
            });
            assertThat(rebuild).as("still running when Elasticsearch stops").isNotDone();
            ProjectorIT.run(stack, "stop", "elasticsearch");
            int status;
            try {
                status = rebuild.get(3, TimeUnit.MINUTES);
            } finally {
                ProjectorIT.run(stack, "start", "elasticsearch");
            }
            assertThat(status).isEqualTo(1);
            assertThat(failing.output).contains("REBUILD FAILED").contains("Elasticsearch is unreachable")
                    .contains("delete it with 'cleanup --force'")
                    .contains("The alias " + alias + " was not touched and still points to " + alias + "-v1");
            Cli tool = new Cli();
            await().atMost(WAIT).ignoreExceptions().until(() -> tool.run(h.config(), "status", "payments") == 0);
            assertThat(tool.output).contains(alias + " -> " + alias + "-v1").contains(alias + "-v2");
            assertThat(tool.run(h.config(), "rollback", "payments")).as("nothing swapped, nothing to roll back")
                    .isEqualTo(1);
            // The rebuild died with Elasticsearch down, so v2 still says "building": cleanup cannot tell
            // it from a rebuild that runs, refuses and deletes nothing, until --force.
            assertThat(tool.output).containsPattern(alias + "-v2\\s+building");
            Cli refused = new Cli();
            assertThat(refused.run(h.config(), "cleanup", "payments")).isEqualTo(1);
            assertThat(refused.output).contains("refused").contains(alias + "-v2 (building)").doesNotContain("deleted ");
            assertThat(tool.run(h.config(), "status", "payments")).isZero();
            assertThat(tool.output).contains(alias + "-v2");
            assertThat(tool.run(h.config(), "cleanup", "payments", "--force")).isZero();
            assertThat(tool.output).contains("deleted " + alias + "-v2");

            // A rebuild that succeeds, then events the live projector writes into it, then a rollback.
            assertThat(tool.run(h.config(), "rebuild", "payments")).isZero();
            assertThat(tool.output).contains("swapped alias " + alias + ": " + alias + "-v1 -> " + alias + "-v2");
            Cli json = new Cli();
            assertThat(json.run(h.config(), "status", "payments", "--json")).isZero();
            com.fasterxml.jackson.databind.JsonNode described = Pipeline.JSON.readTree(json.output.toString())
                    .path("models").get(0);
            assertThat(described.path("alias").asText()).isEqualTo(alias);
            assertThat(described.path("current").asText()).isEqualTo(alias + "-v2");
            assertThat(described.path("indices").toString()).contains("\"name\":\"" + alias + "-v1\",\"state\":\"retired\"")
                    .contains("\"name\":\"" + alias + "-v2\",\"state\":\"live\"");
            h.produce(10_000, 1, Duration.ZERO);
            assertThat(tool.run(h.config(), "rollback", "payments")).isZero();
            assertThat(tool.output).contains("rolled back alias " + alias + ": " + alias + "-v2 -> " + alias + "-v1");
            h.produce(10_000, 1, Duration.ZERO);
            await().atMost(WAIT).untilAsserted(() -> {
                Map<String, PaymentView> views = h.views();
                assertThat(views).hasSize(h.expected.size());
                h.expected.forEach((id, e) -> {
                    assertThat(views.get(id).version()).as(id).isEqualTo(e.version());
                    assertThat(views.get(id).refundAmount()).as(id).isEqualTo(e.refunded());
                });
            });
            tool.run(h.config(), "status", "payments");
            assertThat(tool.output).contains("rolled-back");
        }
    }
}
