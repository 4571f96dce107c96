package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.search.Hit;
import io.eventflow.eventstore.CommonConfig;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDigest;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.projection.ProjectionDocuments;
import io.eventflow.schemas.CommandEnvelope;
import io.eventflow.schemas.CommandResult;
import io.eventflow.schemas.CommandStatus;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.serde.AvroDeserializer;
import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.TopicPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: the command-service and the projector (each its own JVM, topics at replication factor 3,
 * min.insync.replicas=2 from the brokers' defaults) on a 3-broker cluster of the test's own, under
 * a steady command load. The leader of the busiest events partitions is killed with SIGKILL and
 * restarted, then another broker. Afterwards every command has exactly one result, every payment's
 * versions are 1..n, the events index holds exactly the topic's events (ids, versions, digests and
 * a checksum), the read model is the fold of the events, and no group lags. How long results and
 * indexing stalled at each kill is printed and written to target/broker-failure-figures.txt. The
 * services run supervised, as in production: one that exits would be started again so the other
 * checks still run, but any restart fails the test, since one broker's loss must not stop a service.
 */
class BrokerFailureIT {
    private static final Duration WAIT = Duration.ofMinutes(5);
    /** A tick sends a new payment and a refund of an earlier one: 2 x TICKS_PER_SECOND commands/s. */
    private static final int TICKS_PER_SECOND = 10;
    /** Steady load before each kill, once the pipeline has caught up. */
    private static final Duration STEADY = Duration.ofSeconds(8);
    private static final Duration DOWN = Duration.ofSeconds(15);
    /** "Caught up": every command sent longer ago than this has its result. */
    private static final Duration CAUGHT_UP = Duration.ofSeconds(3);

    private final long t0 = System.nanoTime();

    private double secondsSinceStart(long nanos) {
        return (nanos - t0) / 1e9;
    }

    /** One kill: which broker, and when (System.nanoTime) it died, came back and was fully in sync again. */
    private record Kill(int broker, long killed, long restarted, long inSync) {
    }

    @Test
    void killingTheBusiestLeaderThenAnotherBrokerUnderLoadLosesAndDuplicatesNothing() throws Exception {
        TestServers shared = TestServers.get();
        try (LocalKafkaCluster kafka = new LocalKafkaCluster("broker-failure-stack");
                CommandCluster cluster = new CommandCluster(new TestServers(kafka.bootstrapServers(), shared.elasticsearch(),
                        shared.schemaRegistry()));
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
                ElasticsearchClient es = ElasticsearchClients.connect(shared.elasticsearch())) {
            System.out.printf("3-broker cluster up at %s after %.1f s%n", kafka.bootstrapServers(), secondsSinceStart(System.nanoTime()));
            List<String> topics = List.of(cluster.commandsTopic, cluster.eventsTopic, cluster.resultsTopic);
            KafkaTopics.ensure(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    Map.of(cluster.commandsTopic, Map.of(), cluster.eventsTopic, TopicPolicy.events(-1), cluster.resultsTopic,
                            Map.of()), CommandCluster.PARTITIONS, (short) 3);
            var eventsConfig = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, cluster.eventsTopic)))
                    .all().get().values().iterator().next();
            assertThat(eventsConfig.get("min.insync.replicas").value()).as("min.insync.replicas from the broker default")
                    .isEqualTo("2");

            Map<String, String> rf3 = Map.of(CommonConfig.TOPIC_REPLICATION_FACTOR, "3");
            Path state = Files.createTempDirectory("it-state-");
            // Each service is supervised, as in production: one that exits is started again, and counted.
            Supervised commandService = new Supervised("command-service",
                    n -> cluster.startProcess("command-service-" + n, state, rf3));
            Supervised projector = new Supervised("projector", n -> cluster.startProjectorProcess("projector-" + n, rf3));

            // The load: sent commands by id with their send time; acknowledged and failed sends; when
            // each result arrives (read_committed).
            Map<String, Long> resultAt = new ConcurrentHashMap<>();
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            Set<String> acked = ConcurrentHashMap.newKeySet();
            ConcurrentLinkedQueue<String> failedSends = new ConcurrentLinkedQueue<>();
            AtomicBoolean loading = new AtomicBoolean(true);
            KafkaProducer<String, CommandEnvelope> producer = cluster.producer();
            Thread load = new Thread(() -> {
                long period = TimeUnit.SECONDS.toNanos(1) / TICKS_PER_SECOND;
                long next = System.nanoTime();
                int i = 0;
                while (loading.get()) {
                    List<CommandEnvelope> tick = new ArrayList<>();
                    tick.add(Commands.process("pay-" + i, 10_000, "EUR", "org-" + (i % 3), "u-" + (i % 5), null));
                    if (i > 0) {
                        int j = ThreadLocalRandom.current().nextInt(i);
                        tick.add(i % 25 == 0 ? Commands.fail("pay-" + j, "declined", "org-" + (j % 3), "u-" + (j % 5), null)
                                : Commands.refund("pay-" + j, 1_000, "org-" + (j % 3), "u-" + (j % 5), null));
                    }
                    for (CommandEnvelope c : tick) {
                        sentAt.put(c.getCommandId(), System.nanoTime());
                        producer.send(new ProducerRecord<>(cluster.commandsTopic, c.getAggregateId(), c), (md, e) -> {
                            if (e == null) {
                                acked.add(c.getCommandId());
                            } else {
                                failedSends.add(c.getCommandId() + ": " + e);
                            }
                        });
                    }
                    if (i++ == 0) {
                        // The steady load starts once the first command is answered: no backlog from start-up.
                        while (resultAt.isEmpty() && loading.get()) {
                            try {
                                Thread.sleep(100);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                        next = System.nanoTime();
                    }
                    next += period;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        try {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "command-load");

            // Watchers: how the events index grows.
            ConcurrentLinkedQueue<Long> resultArrivals = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<long[]> indexSamples = new ConcurrentLinkedQueue<>();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread resultsWatcher = new Thread(() -> watchResults(cluster, kafka.bootstrapServers(), watching, resultAt,
                    resultArrivals), "results-watcher");
            EventStoreIndices indices = io.eventflow.aggregate.AggregateIndices.of(cluster.indexPrefix, io.eventflow.aggregate.AggregateTypes.of(io.eventflow.payments.Payments.TYPE));
            Thread indexWatcher = new Thread(() -> {
                while (watching.get()) {
                    try {
                        long count = es.count(c -> c.index(indices.eventsAlias()).ignoreUnavailable(true)
                                .allowNoIndices(true)).count();
                        indexSamples.add(new long[] {System.nanoTime(), count});
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // Elasticsearch busy: the next sample
                    }
                }
            }, "index-watcher");
            Thread supervisor = new Thread(() -> {
                while (watching.get()) {
                    try {
                        commandService.restartIfDead();
                        projector.restartIfDead();
                        Thread.sleep(500);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "supervisor");
            for (Thread t : List.of(load, resultsWatcher, indexWatcher, supervisor)) {
                t.setDaemon(true);
                t.start();
            }
            try {
                List<Kill> kills = new ArrayList<>();
                try {
                    await().atMost(WAIT).until(() -> !resultAt.isEmpty());
                    System.out.printf("first result after %.1f s%n", secondsSinceStart(System.nanoTime()));
                    awaitCaughtUp(sentAt, resultAt);
                    Thread.sleep(STEADY.toMillis());
                    int first = busiestLeader(admin, cluster.eventsTopic, Set.of());
                    kills.add(killAndRestart(kafka, admin, first));
                    awaitCaughtUp(sentAt, resultAt);
                    Thread.sleep(STEADY.toMillis());
                    int second = busiestLeader(admin, cluster.eventsTopic, Set.of(first));
                    kills.add(killAndRestart(kafka, admin, second));
                    awaitCaughtUp(sentAt, resultAt);
                    Thread.sleep(STEADY.toMillis());
                } finally {
                    loading.set(false);
                    load.join(TimeUnit.SECONDS.toMillis(30));
                    producer.flush();
                }
                System.out.printf("load stopped after %.1f s: %d commands sent, %d acknowledged, %d failed%n",
                        secondsSinceStart(System.nanoTime()), sentAt.size(), acked.size(), failedSends.size());
                assertThat(failedSends).as("sends that failed with one broker down (acks=all, min.insync.replicas=2)").isEmpty();
                assertThat(acked).hasSize(sentAt.size());

                await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> resultAt.keySet().containsAll(acked));
                Path figuresFile = Files.createDirectories(Path.of("target")).resolve("broker-failure-figures.txt");
                String figures = figures(kills, sentAt, resultAt, List.copyOf(resultArrivals), List.copyOf(indexSamples),
                        acked.size()) + "service restarts by the supervisor: command-service " + commandService.restarts()
                        + ", projector " + projector.restarts() + "\n";
                System.out.print(figures);
                Files.writeString(figuresFile, figures);
                // RF 3 with min.insync.replicas 2: losing one broker is a delay, never a crash.
                assertThat(commandService.restarts()).as("command-service restarts after one broker's loss").isZero();
                assertThat(projector.restarts()).as("projector restarts after one broker's loss").isZero();

                // Every command: exactly one result.
                List<CommandResult> results = cluster.results();
                Map<String, Integer> resultsPerCommand = new HashMap<>();
                results.forEach(r -> resultsPerCommand.merge(r.getCommandId(), 1, Integer::sum));
                assertThat(resultsPerCommand.keySet()).as("commands with a result").isEqualTo(acked);
                assertThat(resultsPerCommand.entrySet().stream().filter(e -> e.getValue() != 1).toList())
                        .as("commands with more than one result").isEmpty();

                // Every payment's versions: 1..n in topic order, no duplicate; one event per accepted command.
                List<EventEnvelope> events = cluster.events();
                Map<String, List<Long>> versions = new HashMap<>();
                Set<String> eventIds = new HashSet<>();
                for (EventEnvelope e : events) {
                    versions.computeIfAbsent(e.getAggregateId(), k -> new ArrayList<>()).add(e.getVersion());
                    assertThat(eventIds.add(e.getEventId())).as("event id %s once", e.getEventId()).isTrue();
                }
                List<String> broken = new ArrayList<>();
                versions.forEach((id, vs) -> {
                    for (int k = 0; k < vs.size(); k++) {
                        if (vs.get(k) != k + 1) {
                            broken.add(id + " " + vs);
                            return;
                        }
                    }
                });
                assertThat(broken).as("payments whose versions are not 1..n").isEmpty();
                assertThat(events).hasSize((int) results.stream().filter(r -> r.getStatus() == CommandStatus.ACCEPTED).count());

                // The projector catches up: no committed record left unconsumed, by either service.
                await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() ->
                        unconsumed(admin, kafka.bootstrapServers(), cluster.projectorGroupId(), cluster.eventsTopic) == 0
                                && unconsumed(admin, kafka.bootstrapServers(), cluster.applicationId(), cluster.commandsTopic) == 0);
                // ... and its committed offsets pass the last commit markers, so a lag monitor reads 0.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                        assertThat(gaps(admin, kafka.bootstrapServers(), cluster.projectorGroupId(), cluster.eventsTopic))
                                .as("the projector group's committed lag").allMatch(g -> g == 0));
                String lagNote = "offsets after catching up: projector " + offsetGaps(admin, kafka.bootstrapServers(),
                        cluster.projectorGroupId(), cluster.eventsTopic) + "; command-service " + offsetGaps(admin,
                        kafka.bootstrapServers(), cluster.applicationId(), cluster.commandsTopic);
                System.out.println(lagNote);

                // The events index is the topic: ids, versions and digests, and one checksum over them.
                Map<String, String> fromTopic = new HashMap<>();
                for (EventEnvelope e : events) {
                    fromTopic.put(e.getEventId(), e.getVersion() + "/" + ProjectionDocuments.event(e).digest());
                }
                es.indices().refresh(r -> r.index(indices.eventsAlias(), indices.alias("payments")));
                Map<String, String> fromIndex = eventDocuments(es, indices.eventsAlias());
                assertThat(difference(fromTopic, fromIndex)).as("events on the topic missing or different in the index").isEmpty();
                assertThat(difference(fromIndex, fromTopic)).as("event documents not on the topic").isEmpty();
                long topicChecksum = checksum(fromTopic);
                long indexChecksum = checksum(fromIndex);
                assertThat(indexChecksum).as("checksum over (id, version, digest)").isEqualTo(topicChecksum);

                // The read model is the fold of the topic's events.
                Map<String, PaymentView> fold = new HashMap<>();
                for (EventEnvelope e : events) {
                    fold.put(e.getAggregateId(), PaymentFolds.fold(fold.get(e.getAggregateId()), e));
                }
                Map<String, PaymentView> views = views(es, indices.alias("payments"));
                assertThat(views.keySet()).isEqualTo(fold.keySet());
                List<String> different = new ArrayList<>();
                fold.forEach((id, f) -> {
                    PaymentView v = views.get(id);
                    if (v.version() != f.version() || !v.status().equals(f.status()) || !v.amount().equals(f.amount())
                            || v.refundAmount() != f.refundAmount() || v.refundCount() != f.refundCount()) {
                        different.add(id + ": index " + v + ", fold " + f);
                    }
                });
                assertThat(different).as("payments whose document is not the fold of their events").isEmpty();
                assertThat(cluster.readAll("it-" + cluster.id + "-commands-dlq")).as("command dead letters").isEmpty();
                assertThat(cluster.readAll(cluster.projectorDeadLetterTopic())).as("event dead letters").isEmpty();

                String summary = String.format("checked: %d commands with one result each, %d events with contiguous "
                        + "versions, index = topic (checksum %016x), %d payments = fold; %s%ntest time %.1f s%n", acked.size(),
                        events.size(), topicChecksum, fold.size(), lagNote, secondsSinceStart(System.nanoTime()));
                System.out.print(summary);
                Files.writeString(figuresFile, figures + summary);
            } finally {
                loading.set(false);
                watching.set(false);
                supervisor.join(10_000); // no restart once the processes are being closed
            }
        }
    }

    /** Waits until every command sent longer than {@link #CAUGHT_UP} ago has its result. */
    private void awaitCaughtUp(Map<String, Long> sentAt, Map<String, Long> resultAt) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            long before = System.nanoTime() - CAUGHT_UP.toNanos();
            return sentAt.entrySet().stream().allMatch(e -> e.getValue() > before || resultAt.containsKey(e.getKey()));
        });
        System.out.printf("%.1f s: caught up%n", secondsSinceStart(System.nanoTime()));
    }

    /** Starts a process through {@code starter} (n = 0, 1, ...), and again whenever it has exited. */
    private static final class Supervised {
        interface Starter {
            Process start(int n) throws Exception;
        }

        private final String name;
        private final Starter starter;
        private Process process;
        private int restarts;

        Supervised(String name, Starter starter) throws Exception {
            this.name = name;
            this.starter = starter;
            this.process = starter.start(0);
        }

        synchronized void restartIfDead() throws Exception {
            if (!process.isAlive()) {
                restarts++;
                System.out.printf("%s exited with status %d; starting it again (restart %d)%n", name, process.exitValue(),
                        restarts);
                process = starter.start(restarts);
            }
        }

        synchronized int restarts() {
            return restarts;
        }
    }

    private Kill killAndRestart(LocalKafkaCluster kafka, Admin admin, int broker) throws Exception {
        long pid = kafka.pid(broker);
        kafka.kill(broker);
        long killed = System.nanoTime();
        System.out.printf("%.1f s: killed broker %d (pid %d) with SIGKILL%n", secondsSinceStart(killed), broker, pid);
        Thread.sleep(DOWN.toMillis());
        kafka.start(broker);
        long restarted = System.nanoTime();
        System.out.printf("%.1f s: broker %d restarted%n", secondsSinceStart(restarted), broker);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> fullIsr(admin));
        long inSync = System.nanoTime();
        System.out.printf("%.1f s: every partition's ISR full again%n", secondsSinceStart(inSync));
        return new Kill(broker, killed, restarted, inSync);
    }

    /** The broker leading the events partitions with the most records, outside {@code exclude}. */
    private static int busiestLeader(Admin admin, String topic, Set<Integer> exclude) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get();
        Map<Integer, Long> recordsByLeader = new TreeMap<>();
        for (TopicPartitionInfo p : d.partitions()) {
            if (p.leader() != null && !exclude.contains(p.leader().id())) {
                recordsByLeader.merge(p.leader().id(), ends.get(new TopicPartition(topic, p.partition())).offset(), Long::sum);
            }
        }
        System.out.println("events records by partition leader: " + recordsByLeader);
        return recordsByLeader.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /** True when every partition of every topic, internal ones included, has all its replicas in sync. */
    private static boolean fullIsr(Admin admin) throws Exception {
        Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
        return admin.describeTopics(names).allTopicNames().get().values().stream()
                .flatMap(t -> t.partitions().stream())
                .allMatch(p -> p.leader() != null && p.isr().size() == p.replicas().size());
    }

    private void watchResults(CommandCluster cluster, String bootstrap, AtomicBoolean watching, Map<String, Long> resultAt,
            Collection<Long> arrivals) {
        var decoder = new AvroDeserializer<>(cluster.registry, CommandResult.class);
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < CommandCluster.PARTITIONS; p++) {
                partitions.add(new TopicPartition(cluster.resultsTopic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (watching.get()) {
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    arrivals.add(now);
                    resultAt.putIfAbsent(decoder.deserialize(r.topic(), r.value()).getCommandId(), now);
                }
            }
        }
    }

    /**
     * Committed records a group has not consumed yet: read with read_committed from the group's
     * offset up to the last stable offset. A transaction's commit marker takes an offset but is no
     * record, so a group that consumed everything may sit one offset below the end: that counts 0.
     */
    private static long unconsumed(Admin admin, String bootstrap, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, Long> stable = consumer.endOffsets(partitions);
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                consumer.seek(tp, c == null ? 0 : c.offset());
            }
            long count = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < stable.get(tp)) && System.nanoTime() < deadline) {
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }

    /** Per partition, last stable offset minus the group's committed offset (commit markers included). */
    private static String offsetGaps(Admin admin, String bootstrap, String group, String topic) throws Exception {
        return "LSO - committed per partition " + gaps(admin, bootstrap, group, topic) + " (0 unconsumed records)";
    }

    /** What a lag monitor reads: last stable offset minus the group's committed offset, per partition. */
    private static List<Long> gaps(Admin admin, String bootstrap, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).sorted((a, b) -> a.partition() - b.partition()).toList();
            Map<TopicPartition, Long> stable = consumer.endOffsets(partitions);
            List<Long> gaps = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                gaps.add(stable.get(tp) - (c == null ? 0 : c.offset()));
            }
            return gaps;
        }
    }

    /** Every event document: id -> "version/digest". */
    private static Map<String, String> eventDocuments(ElasticsearchClient es, String alias) throws Exception {
        Map<String, String> out = new HashMap<>();
        String after = null;
        while (true) {
            String a = after;
            @SuppressWarnings({"rawtypes", "unchecked"})
            var page = es.search(s -> {
                s.index(alias).size(5_000).sort(o -> o.field(f -> f.field("eventId").order(SortOrder.Asc)));
                if (a != null) {
                    s.searchAfter(FieldValue.of(a));
                }
                return s;
            }, Map.class);
            for (var hit : page.hits().hits()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> source = (Map<String, Object>) hit.source();
                out.put(hit.id(), ((Number) source.get("version")).longValue() + "/" + EventDigest.ofSource(source));
                after = hit.id();
            }
            if (page.hits().hits().size() < 5_000) {
                return out;
            }
        }
    }

    private static Map<String, PaymentView> views(ElasticsearchClient es, String alias) throws Exception {
        Map<String, PaymentView> out = new HashMap<>();
        String after = null;
        while (true) {
            String a = after;
            var page = es.search(s -> {
                s.index(alias).size(5_000).sort(o -> o.field(f -> f.field("paymentId").order(SortOrder.Asc)));
                if (a != null) {
                    s.searchAfter(FieldValue.of(a));
                }
                return s;
            }, PaymentView.class);
            List<Hit<PaymentView>> hits = page.hits().hits();
            hits.forEach(h -> out.put(h.source().paymentId(), h.source()));
            if (hits.size() < 5_000) {
                return out;
            }
            after = hits.get(hits.size() - 1).source().paymentId();
        }
    }

    /** Entries of {@code a} that {@code b} lacks or holds with another value (at most 20, for the message). */
    private static List<String> difference(Map<String, String> a, Map<String, String> b) {
        return a.entrySet().stream().filter(e -> !e.getValue().equals(b.get(e.getKey())))
                .map(e -> e.getKey() + " " + e.getValue() + " vs " + b.get(e.getKey())).limit(20).toList();
    }

    /** Order-independent: the sum of a 64-bit hash of each "id/version/digest". */
    private static long checksum(Map<String, String> docs) throws Exception {
        long sum = 0;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (var e : docs.entrySet()) {
            byte[] h = sha.digest((e.getKey() + "/" + e.getValue()).getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int k = 0; k < 8; k++) {
                v = (v << 8) | (h[k] & 0xff);
            }
            sum += v;
        }
        return sum;
    }

    /** The stall figures per kill, as text. */
    private String figures(List<Kill> kills, Map<String, Long> sentAt, Map<String, Long> resultAt, List<Long> arrivals,
            List<long[]> indexSamples, int commands) {
        StringBuilder out = new StringBuilder("BrokerFailureIT figures (3 brokers, RF 3, min.insync.replicas=2, "
                + 2 * TICKS_PER_SECOND + " commands/s, each broker down " + DOWN.toSeconds() + " s)\n");
        List<Long> sortedArrivals = arrivals.stream().sorted().toList();
        for (int k = 0; k < kills.size(); k++) {
            Kill kill = kills.get(k);
            long from = kill.killed() - TimeUnit.SECONDS.toNanos(2);
            long to = kill.inSync() + TimeUnit.SECONDS.toNanos(5);
            long maxLatency = 0;
            for (var e : sentAt.entrySet()) {
                Long at = resultAt.get(e.getKey());
                if (at != null && e.getValue() >= from && e.getValue() <= kill.restarted()) {
                    maxLatency = Math.max(maxLatency, at - e.getValue());
                }
            }
            out.append(String.format("kill %d: broker %d at %.1f s, restarted at %.1f s, ISR full at %.1f s%n", k + 1,
                    kill.broker(), secondsSinceStart(kill.killed()), secondsSinceStart(kill.restarted()),
                    secondsSinceStart(kill.inSync())));
            out.append(String.format("  results: longest gap between two results %.1f s; slowest command sent around "
                    + "the kill answered after %.1f s%n", longestGap(sortedArrivals, from, to) / 1e9, maxLatency / 1e9));
            out.append(String.format("  events index: longest time without a new document %.1f s%n",
                    longestFlat(indexSamples, from, to) / 1e9));
        }
        long quiet = 0;
        if (!kills.isEmpty()) {
            quiet = longestGap(sortedArrivals, kills.get(0).killed() - TimeUnit.SECONDS.toNanos(14),
                    kills.get(0).killed() - TimeUnit.SECONDS.toNanos(2));
        }
        out.append(String.format("baseline before the first kill: longest gap between two results %.1f s%n", quiet / 1e9));
        out.append(String.format("%d commands, all answered at %.1f s%n", commands, secondsSinceStart(System.nanoTime())));
        return out.toString();
    }

    /** The longest gap between consecutive times within [from, to], counting from the last time before from. */
    private static long longestGap(List<Long> sorted, long from, long to) {
        long longest = 0;
        Long previous = null;
        for (long t : sorted) {
            if (t > to) {
                break;
            }
            if (previous != null && t >= from) {
                longest = Math.max(longest, t - Math.max(previous, from));
            }
            previous = t;
        }
        return longest;
    }

    /** The longest time within [from, to] over which the sampled count did not grow. */
    private static long longestFlat(List<long[]> samples, long from, long to) {
        long longest = 0;
        long since = from;
        long last = -1;
        for (long[] s : samples) {
            if (s[0] < from) {
                last = s[1];
                continue;
            }
            if (s[0] > to) {
                break;
            }
            if (s[1] > last) {
                longest = Math.max(longest, s[0] - since);
                since = s[0];
                last = s[1];
            }
        }
        if (!samples.isEmpty()) {
            longest = Math.max(longest, Math.min(to, samples.get(samples.size() - 1)[0]) - since);
        }
        return longest;
    }
}
