package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import co.elastic.clients.elasticsearch._types.Refresh;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.RejectionReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command side's guarantees on the real servers: conflicts, crashes, retries, hydration. */
class CommandSideIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String RUNNING = "command-service state REBALANCING -> RUNNING";

    private CommandCluster cluster;

    @BeforeEach
    void setUp() {
        cluster = new CommandCluster();
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    private List<CommandResult> awaitResults(int count) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(cluster::results, r -> r.size() >= count);
    }

    /** Each (aggregateId, version) once, versions 1..n without a gap, per aggregate. */
    private static Map<String, Long> assertContiguousAndUnique(List<EventEnvelope> events) {
        Map<String, TreeSet<Long>> versions = new HashMap<>();
        for (EventEnvelope e : events) {
            boolean added = versions.computeIfAbsent(e.getAggregateId(), k -> new TreeSet<>()).add(e.getVersion());
            assertThat(added).as("duplicate event %s v%s", e.getAggregateId(), e.getVersion()).isTrue();
        }
        Map<String, Long> last = new HashMap<>();
        versions.forEach((id, v) -> {
            assertThat(v.first()).as("first version of %s", id).isEqualTo(1L);
            assertThat(v.last()).as("gap in the versions of %s: %s", id, v).isEqualTo((long) v.size());
            last.put(id, v.last());
        });
        return last;
    }

    @Test
    void amongConflictingCommandsExactlyOneWinsWithTwoInstancesAndEightProducers() throws Exception {
        int aggregates = 1_000;
        int perAggregate = 10;
        int threads = 8;
        cluster.start(cluster.applicationId());
        cluster.start(cluster.applicationId());
        var producer = cluster.producer();
        for (int a = 0; a < aggregates; a++) {
            String id = "pay-" + a;
            producer.send(new ProducerRecord<>(cluster.commandsTopic, id, Commands.process(id, 1_000, "EUR", "org-1", "u-1", 0L)));
        }
        producer.flush();
        awaitResults(aggregates);

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> sent = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            sent.add(pool.submit(() -> {
                KafkaProducer<String, CommandEnvelope> own = cluster.producer();
                for (int a = 0; a < aggregates; a++) {
                    String id = "pay-" + a;
                    for (int i = thread; i < perAggregate; i += threads) {
                        own.send(new ProducerRecord<>(cluster.commandsTopic, id, Commands.refund(id, 1, "org-1", "u-1", 1L)));
                    }
                }
                own.flush();
                return null;
            }));
        }
        for (Future<?> f : sent) {
            f.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();

        int total = aggregates * (perAggregate + 1);
        List<CommandResult> results = awaitResults(total);
        assertThat(results).hasSize(total);
        Map<String, List<CommandResult>> refunds = results.stream().filter(r -> r.getVersion() == null || r.getVersion() != 1L)
                .collect(Collectors.groupingBy(CommandResult::getAggregateId));
        assertThat(refunds).hasSize(aggregates);
        refunds.forEach((id, rs) -> {
            assertThat(rs).hasSize(perAggregate);
            assertThat(rs).filteredOn(r -> r.getStatus() == CommandStatus.ACCEPTED).singleElement()
                    .satisfies(r -> assertThat(r.getVersion()).isEqualTo(2L));
            assertThat(rs).filteredOn(r -> r.getStatus() == CommandStatus.REJECTED).hasSize(perAggregate - 1)
                    .allSatisfy(r -> {
                        assertThat(r.getRejection().getReason()).isEqualTo(RejectionReason.CONCURRENCY_CONFLICT);
                        assertThat(r.getRejection().getExpectedVersion()).isEqualTo(1L);
                        assertThat(r.getRejection().getActualVersion()).isEqualTo(2L);
                    });
        });
        Map<String, Long> last = assertContiguousAndUnique(cluster.events());
        assertThat(last).hasSize(aggregates).allSatisfy((id, v) -> assertThat(v).isEqualTo(2L));
    }

    @Test
    void killingAnInstanceUnderLoadLosesAndDuplicatesNothing() throws Exception {
        Path stateA = Files.createTempDirectory("it-state-a-");
        Path stateB = Files.createTempDirectory("it-state-b-");
        Process a = cluster.startProcess("a", stateA);
        cluster.startProcess("b", stateB);
        cluster.awaitLog("a", RUNNING, 1);
        cluster.awaitLog("b", RUNNING, 1);

        int aggregates = 3_000;
        int rounds = 4;
        Set<String> commandIds = ConcurrentHashMap.newKeySet();
        // A steady load in the background: per aggregate one payment and then three refunds, ~12 s.
        ExecutorService load = Executors.newSingleThreadExecutor();
        Future<?> sending = load.submit(() -> {
            var producer = cluster.producer();
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < aggregates; i++) {
                    String id = "pay-" + i;
                    CommandEnvelope c = round == 0 ? Commands.process(id, 1_000, "EUR", "org-1", "u-1", null)
                            : Commands.refund(id, 10, "org-1", "u-1", null);
                    commandIds.add(c.getCommandId());
                    producer.send(new ProducerRecord<>(cluster.commandsTopic, id, c));
                    if (i % 100 == 99) {
                        Thread.sleep(10);
                    }
                }
            }
            producer.flush();
            return null;
        });
        // Kill -9 instance a while it is processing: no shutdown hook, an open transaction.
        await().atMost(WAIT).until(() -> cluster.results().size() >= 2_000);
        a.destroyForcibly().waitFor();
        int seenAtKill = cluster.results().size();
        a = cluster.startProcess("a", stateA);
        sending.get(2, TimeUnit.MINUTES);
        load.shutdown();
        assertThat(seenAtKill).as("killed mid-load").isLessThan(aggregates * rounds);

        List<CommandResult> results = awaitResults(commandIds.size());
        // Nothing more arrives later either (a batch re-run after the crash would show as extras).
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20))
                .until(() -> cluster.results().size() == commandIds.size());
        cluster.awaitLog("a", RUNNING, 2);
        Map<String, Long> perCommand = results.stream()
                .collect(Collectors.groupingBy(CommandResult::getCommandId, Collectors.counting()));
        assertThat(perCommand.keySet()).isEqualTo(commandIds);
        assertThat(perCommand.values()).allMatch(n -> n == 1L);
        assertThat(results).allMatch(r -> r.getStatus() == CommandStatus.ACCEPTED);

        List<EventEnvelope> events = cluster.events();
        Map<String, Long> last = assertContiguousAndUnique(events);
        assertThat(events).hasSize(commandIds.size());
        assertThat(last).hasSize(aggregates).allSatisfy((id, v) -> assertThat(v).isEqualTo((long) rounds));
        assertThat(events.stream().map(EventEnvelope::getCausationId).collect(Collectors.toSet())).isEqualTo(commandIds);
    }

    @Test
    void aCommandRetriedThreeTimesTakesEffectOnceAndGetsThreeIdenticalResults() throws Exception {
        cluster.start(cluster.applicationId());
        var producer = cluster.producer();
        CommandEnvelope process = Commands.process("pay-r", 2_500, "EUR", "org-1", "u-1", 0L);
        for (int i = 0; i < 3; i++) {
            producer.send(new ProducerRecord<>(cluster.commandsTopic, "pay-r", process)).get();
        }

        List<CommandResult> results = awaitResults(3);
        assertThat(results).hasSize(3).allSatisfy(r -> assertThat(r).isEqualTo(results.get(0)));
        assertThat(results.get(0).getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(results.get(0).getVersion()).isEqualTo(1L);
        assertThat(cluster.events()).hasSize(1);
    }

    @Test
    void anAggregateOnlyInElasticsearchIsCheckedAgainstItsIndexedVersion() throws Exception {
        var es = ElasticsearchClients.connect(cluster.servers.elasticsearch());
        try {
            var indices = io.eventflow.aggregate.AggregateIndices.of(cluster.indexPrefix, io.eventflow.aggregate.AggregateTypes.of(io.eventflow.payments.Payments.TYPE));
            indices.ensure(es, 0);
            Instant t = Instant.now();
            Map<String, Object> meta = Map.of("organizationId", "org-1", "userId", "u-1");
            List<EventDocument> history = List.of(
                    new EventDocument("ev-1", "pay-es", "Payment", "PaymentProcessed", 1, t, "corr", "cmd-1",
                            Map.of("paymentId", "pay-es", "amount", 5_000, "currency", "EUR", "organizationId", "org-1",
                                    "userId", "u-1"), meta),
                    new EventDocument("ev-2", "pay-es", "Payment", "PaymentRefunded", 2, t, "corr", "cmd-2",
                            Map.of("paymentId", "pay-es", "refundAmount", 1_000), meta),
                    // Another aggregate type's aggregate with the same id: not part of the payment's history.
                    new EventDocument("ev-o1", "pay-es", "Order", "OrderPlaced", 1, t, "corr", "cmd-o1",
                            Map.of("orderId", "pay-es"), meta),
                    new EventDocument("ev-o3", "pay-es", "Order", "OrderShipped", 3, t, "corr", "cmd-o3",
                            Map.of("orderId", "pay-es"), meta));
            for (EventDocument d : history) {
                es.index(i -> i.index(indices.eventsAlias()).id(d.eventId()).routing(d.aggregateId()).document(d).refresh(Refresh.True));
            }
        } finally {
            ElasticsearchClients.close(es);
        }
        // A new application id: an empty state store, so the version can only come from Elasticsearch.
        cluster.start(cluster.applicationId() + "-fresh");
        var producer = cluster.producer();
        producer.send(new ProducerRecord<>(cluster.commandsTopic, "pay-es", Commands.refund("pay-es", 100, "org-1", "u-1", 1L))).get();
        producer.send(new ProducerRecord<>(cluster.commandsTopic, "pay-es", Commands.refund("pay-es", 4_000, "org-1", "u-1", 2L))).get();
        producer.send(new ProducerRecord<>(cluster.commandsTopic, "pay-es", Commands.refund("pay-es", 1, "org-1", "u-1", 3L))).get();

        List<CommandResult> results = awaitResults(3);
        assertThat(results.get(0).getRejection().getReason()).isEqualTo(RejectionReason.CONCURRENCY_CONFLICT);
        assertThat(results.get(0).getRejection().getActualVersion()).isEqualTo(2L);
        assertThat(results.get(1).getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(results.get(1).getVersion()).isEqualTo(3L);
        // 5,000 - 1,000 - 4,000 leaves nothing to refund: the indexed refund counted too.
        assertThat(results.get(2).getRejection().getReason()).isEqualTo(RejectionReason.REFUND_EXCEEDS_AMOUNT);
        assertThat(cluster.events()).singleElement().satisfies(e -> assertThat(e.getVersion()).isEqualTo(3L));
    }
}
