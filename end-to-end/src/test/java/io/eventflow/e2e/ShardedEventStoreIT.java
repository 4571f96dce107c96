package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventflow.command.CommandService;
import io.eventflow.command.CommandServiceConfig;
import io.eventflow.projection.ProjectorCli;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.RejectionReason;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.AvroSerializer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: a rebuild changes the event store's shard count. The pipeline runs on a one-shard event
 * store, {@code projector-cli rebuild events} with {@code elasticsearch.index.events.shards=3} fills a
 * three-shard index ({@code --shards 3}, which sets {@code elasticsearch.index.events.shards}), verifies it and
 * swaps the alias; every aggregate's events then sit on one shard,
 * and both readers by aggregate read the new index through its routing: the command side's hydration
 * (a command-service with an empty store) and {@code GET /aggregates/{id}/events}. Each read by
 * aggregate is checked to have searched its aggregate's shard alone, through the shards' search stats.
 */
class ShardedEventStoreIT {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final int PAYMENTS = 60;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aOneShardEventStoreRebuiltIntoThreeShardsKeepsEachHistoryOnOneShardAndReadsItBack() throws Exception {
        try (Pipeline p = new Pipeline()) {
            // Histories of 1 to 4 events: a process, then up to three refunds.
            Map<String, Long> versions = new TreeMap<>();
            for (int i = 0; i < PAYMENTS; i++) {
                String id = "pay-" + i;
                p.send(Commands.process(id, 10_000, "EUR", "org-" + (i % 3), "u-" + (i % 5), 0L));
                for (int r = 1; r <= i % 4; r++) {
                    p.send(Commands.refund(id, 100, "org-" + (i % 3), "u-" + (i % 5), (long) r));
                }
                versions.put(id, 1L + i % 4);
            }
            long events = versions.values().stream().mapToLong(Long::longValue).sum();
            await().atMost(WAIT).until(() -> p.get("/events?size=1").body().path("total").asLong() == events);
            String alias = p.indexPrefix + "events";
            String v1 = alias + "-v1";
            String v2 = alias + "-v2";
            assertThat(shards(v1)).isEqualTo(1);

            StringWriter output = new StringWriter();
            PrintWriter out = new PrintWriter(output, true);
            int status = ProjectorCli.execute(p.projectorConfig(), Map.of(), out, out, "rebuild", "events",
                    "--shards", "3", "--progress-interval-ms", "500");
            System.out.println(output);
            assertThat(status).isZero();
            assertThat(output.toString()).contains("new index " + v2 + " (3 shards)")
                    .contains("verified: same documents and versions as of the same offsets")
                    .contains("swapped alias " + alias + ": " + v1 + " -> " + v2);
            assertThat(aliasTarget(alias)).isEqualTo(v2);
            assertThat(shards(v2)).isEqualTo(3);

            Map<String, Integer> shardOf = eachAggregatesShard(v2, events);
            assertThat(shardOf).hasSize(PAYMENTS);
            assertThat(new HashSet<>(shardOf.values())).as("shards holding events").hasSize(3);
            System.out.printf("%s: %d shards, %d events of %d aggregates, each aggregate on one shard; aggregates "
                    + "per shard %s%n", v2, shards(v2), events, PAYMENTS, perShard(shardOf));

            // The command side, with an empty store: it can only know the versions from the new index.
            List<String> checked = new ArrayList<>();
            for (int shard = 0; shard < 3; shard++) {
                for (String id : versions.keySet()) {
                    if (shardOf.get(id) == shard && versions.get(id) >= 2 && checked.stream()
                            .filter(c -> shardOf.get(c).equals(shardOf.get(id))).count() < 2) {
                        checked.add(id);
                    }
                }
            }
            try (FreshCommandSide fresh = new FreshCommandSide(p)) {
                // A stale expectedVersion first: refused with the indexed version as the actual one.
                String first = checked.get(0);
                long[] before = queryTotals(v2);
                CommandResult stale = fresh.sendAndAwait(Commands.refund(first, 1, "org-" + index(first) % 3,
                        "u-" + index(first) % 5, versions.get(first) - 1));
                assertThat(stale.getRejection().getReason()).isEqualTo(RejectionReason.CONCURRENCY_CONFLICT);
                assertThat(stale.getRejection().getActualVersion()).isEqualTo(versions.get(first));
                assertOnlyShardSearched(v2, before, shardOf.get(first), "hydration of " + first);

                for (String id : checked) {
                    before = queryTotals(v2);
                    CommandResult r = fresh.sendAndAwait(Commands.refund(id, 100, "org-" + index(id) % 3,
                            "u-" + index(id) % 5, versions.get(id)));
                    assertThat(r.getStatus()).as(id).isEqualTo(CommandStatus.ACCEPTED);
                    assertThat(r.getVersion()).as(id + ": the version after its whole indexed history")
                            .isEqualTo(versions.get(id) + 1);
                    if (!id.equals(first)) {
                        assertOnlyShardSearched(v2, before, shardOf.get(id), "hydration of " + id);
                    }
                    versions.put(id, versions.get(id) + 1);
                }
            }

            // The history route reads every aggregate's whole history, the new events included.
            await().atMost(WAIT).until(() -> p.get("/events?size=1").body().path("total").asLong()
                    == events + checked.size());
            for (String id : versions.keySet()) {
                long[] before = queryTotals(v2);
                JsonNode history = p.get("/aggregates/" + id + "/events").body();
                List<Long> got = new ArrayList<>();
                history.path("events").forEach(e -> got.add(e.path("version").asLong()));
                List<Long> want = new ArrayList<>();
                for (long v = 1; v <= versions.get(id); v++) {
                    want.add(v);
                }
                assertThat(got).as(id).isEqualTo(want);
                assertThat(history.path("version").asLong()).as(id).isEqualTo(versions.get(id));
                if (checked.contains(id)) {
                    assertOnlyShardSearched(v2, before, shardOf.get(id), "GET /aggregates/" + id + "/events");
                }
            }
            // The events written after the swap went to their aggregates' shards too.
            assertThat(eachAggregatesShard(v2, events + checked.size())).isEqualTo(shardOf);
            System.out.printf("after the swap: %d commands hydrated from %s and accepted at the next version, "
                    + "%d histories read back whole (%d events)%n", checked.size(), v2, versions.size(),
                    events + checked.size());
        }
    }

    private static int index(String paymentId) {
        return Integer.parseInt(paymentId.substring("pay-".length()));
    }

    /**
     * Each aggregate's shard, reading every shard on its own ({@code preference=_shards:n}); fails when
     * an aggregate has events on two shards, a hit's {@code _routing} is not its aggregate id, or the
     * shards do not hold {@code expected} events between them.
     */
    private static Map<String, Integer> eachAggregatesShard(String index, long expected) throws Exception {
        post("/" + index + "/_refresh", null);
        int shards = shards(index);
        Map<String, Integer> shardOf = new HashMap<>();
        long total = 0;
        for (int shard = 0; shard < shards; shard++) {
            JsonNode hits = post("/" + index + "/_search?preference=_shards:" + shard,
                    "{\"size\": 10000, \"_source\": [\"aggregateId\"], \"query\": {\"match_all\": {}}}")
                    .path("hits").path("hits");
            for (JsonNode hit : hits) {
                String aggregate = hit.path("_source").path("aggregateId").asText();
                assertThat(hit.path("_routing").asText()).as(hit.path("_id").asText()).isEqualTo(aggregate);
                Integer other = shardOf.put(aggregate, shard);
                assertThat(other == null || other == shard).as(aggregate + " on shards " + other + " and " + shard)
                        .isTrue();
                total++;
            }
        }
        assertThat(total).isEqualTo(expected);
        return shardOf;
    }

    private static Map<Integer, Integer> perShard(Map<String, Integer> shardOf) {
        Map<Integer, Integer> out = new TreeMap<>();
        shardOf.values().forEach(s -> out.merge(s, 1, Integer::sum));
        return out;
    }

    /** Each shard's count of query phases run (primaries: the tests run without replicas). */
    private static long[] queryTotals(String index) throws Exception {
        JsonNode shards = get("/" + index + "/_stats/search?level=shards").path("indices").path(index).path("shards");
        long[] out = new long[shards.size()];
        for (var it = shards.fields(); it.hasNext(); ) {
            var e = it.next();
            for (JsonNode copy : e.getValue()) {
                if (copy.path("routing").path("primary").asBoolean()) {
                    out[Integer.parseInt(e.getKey())] = copy.path("search").path("query_total").asLong();
                }
            }
        }
        return out;
    }

    private static void assertOnlyShardSearched(String index, long[] before, int shard, String what) throws Exception {
        long[] after = queryTotals(index);
        for (int s = 0; s < after.length; s++) {
            if (s == shard) {
                assertThat(after[s]).as(what + ": searched its shard " + s).isGreaterThan(before[s]);
            } else {
                assertThat(after[s]).as(what + ": shard " + s + " is not its shard (" + shard + ")")
                        .isEqualTo(before[s]);
            }
        }
    }

    private static int shards(String index) throws Exception {
        return get("/" + index + "/_settings").path(index).path("settings").path("index").path("number_of_shards")
                .asInt();
    }

    private static String aliasTarget(String alias) throws Exception {
        return get("/_alias/" + alias).fieldNames().next();
    }

    private static JsonNode get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    private static JsonNode post(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private static URI uri(String path) {
        return URI.create(TestServers.get().elasticsearch().split(",")[0].trim() + path);
    }

    private static JsonNode send(HttpRequest request) throws Exception {
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(request.uri() + ": " + r.body()).isEqualTo(200);
        return Pipeline.JSON.readTree(r.body());
    }

    /**
     * A second command-service on the pipeline's events topic and indices, with an application id,
     * store, commands and results topics of its own: its store is empty, so every aggregate it is
     * sent a command for is hydrated from the event store.
     */
    private static final class FreshCommandSide implements AutoCloseable {
        private final Pipeline p;
        private final String commandsTopic;
        private final String resultsTopic;
        private final CommandService service;
        private final KafkaProducer<String, CommandEnvelope> producer;

        FreshCommandSide(Pipeline p) throws Exception {
            this.p = p;
            String base = "it-" + p.id + "-fresh";
            this.commandsTopic = base + "-commands";
            this.resultsTopic = base + "-results";
            TestServers servers = TestServers.get();
            Map<String, String> config = new LinkedHashMap<>();
            config.put(CommandServiceConfig.BOOTSTRAP_SERVERS, servers.kafka());
            config.put(CommandServiceConfig.APPLICATION_ID, base + "-command-service");
            config.put(CommandServiceConfig.SCHEMA_REGISTRY_URL, servers.schemaRegistry());
            config.put(CommandServiceConfig.ELASTICSEARCH_URL, servers.elasticsearch());
            config.put(CommandServiceConfig.INDEX_PREFIX, p.indexPrefix);
            config.put(CommandServiceConfig.AGGREGATE_TYPES, "payments");
            config.put(CommandServiceConfig.COMMANDS_TOPIC, commandsTopic);
            config.put(CommandServiceConfig.EVENTS_TOPIC, p.eventsTopic);
            config.put(CommandServiceConfig.RESULTS_TOPIC, resultsTopic);
            config.put(CommandServiceConfig.DEAD_LETTER_TOPIC, base + "-commands-dlq");
            config.put(CommandServiceConfig.METRICS_PORT, "-1");
            config.put(CommandServiceConfig.STATE_DIR, Files.createTempDirectory("it-state-").toString());
            this.service = CommandService.start(new CommandServiceConfig(config), Clock.systemUTC(),
                    new SimpleMeterRegistry());
            this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafka(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(),
                    new AvroSerializer<CommandEnvelope>(p.registry(), true));
            await().atMost(Duration.ofSeconds(60)).until(() -> service.state() == KafkaStreams.State.RUNNING);
        }

        /** Sends the command and waits for its result. */
        CommandResult sendAndAwait(CommandEnvelope command) throws Exception {
            producer.send(new ProducerRecord<>(commandsTopic, command.getAggregateId(), command)).get();
            var decoder = new AvroDeserializer<>(p.registry(), CommandResult.class);
            CommandResult[] found = new CommandResult[1];
            await().atMost(WAIT).until(() -> {
                p.readAll(resultsTopic).stream().map(r -> decoder.deserialize(resultsTopic, r.value()))
                        .filter(r -> r.getCommandId().equals(command.getCommandId())).findFirst()
                        .ifPresent(r -> found[0] = r);
                return found[0] != null;
            });
            assertThat(found[0].getAggregateId()).isEqualTo(command.getAggregateId());
            return found[0];
        }

        @Override
        public void close() {
            TestCleanup.closeAll(List.of(producer, service));
        }
    }
}
