package io.eventflow.bench;

import io.eventflow.schemas.serde.KafkaTopics;
import io.eventflow.schemas.serde.TopicPolicy;
import io.eventflow.eventstore.ElasticsearchClients;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A diagnostic, not a target: the projector alone, run over the same pre-produced events once per
 * variant of its JVM options, in rounds that alternate the variants, so that their CPU per event
 * compares within one run. Each run has its own consumer group and indices.
 *
 * <p>Arguments: EVENTS HEAP ROUNDS, then one argument per variant: JVM options ("-" for none).
 */
public final class ProjectorVariants {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        String heap = args[1];
        int rounds = Integer.parseInt(args[2]);
        List<String> variants = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            variants.add(args[i]);
        }
        Path jar = Path.of("projector/target/projector.jar");
        String kafka = ProcessStats.env("KAFKA_BOOTSTRAP_SERVERS");
        String registryUrl = ProcessStats.env("SCHEMA_REGISTRY_URL");
        String esUrl = ProcessStats.env("ELASTICSEARCH_URL");
        String id = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = id + "-events";
        KafkaTopics.ensure(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka),
                Map.of(topic, TopicPolicy.events(-1), id + "-dlq", Map.of()), 6, (short) 1);
        System.out.printf("pre-producing %,d events to %s...%n", n, topic);
        EventLoad.produce(kafka, registryUrl, topic, n);
        var es = ElasticsearchClients.connect(esUrl);
        List<String> results = new ArrayList<>();
        {
            // Warms Elasticsearch's JIT up, as in ProjectorThroughput; not counted.
            Map<String, String> config = new HashMap<>(Map.of(
                    "bootstrap.servers", kafka, "group.id", id + "-warm", "schema.registry.url", registryUrl,
                    "elasticsearch.url", esUrl, "elasticsearch.index.prefix", id + "-warm-",
                    "elasticsearch.index.replicas", "0", "events.topic", topic, "dead.letter.topic", id + "-dlq",
                    "metrics.port", "0", "batch.max.events", "2000"));
            config.put("aggregate.types", "payments");
            ChildService warm = new ChildService(jar, heap, null, config, Path.of("bench", "target", id), "warm");
            try {
                warm.awaitCommitted(kafka, id + "-warm", Math.min(n, 300_000));
            } finally {
                warm.stop();
            }
            List<String> w = List.copyOf(es.indices().get(g -> g.index(id + "-warm-*")).result().keySet());
            es.indices().delete(d -> d.index(w));
        }
        for (int r = 0; r < rounds; r++) {
            for (int v = 0; v < variants.size(); v++) {
                String opts = variants.get(v).equals("-") ? null : variants.get(v);
                String name = "v" + v + "-r" + r;
                Map<String, String> config = new HashMap<>(Map.of(
                        "bootstrap.servers", kafka, "group.id", id + "-" + name, "schema.registry.url", registryUrl,
                        "elasticsearch.url", esUrl, "elasticsearch.index.prefix", id + "-" + name + "-",
                        "elasticsearch.index.replicas", "0", "events.topic", topic, "dead.letter.topic", id + "-dlq",
                        "metrics.port", "0", "batch.max.events", "2000"));
                config.put("aggregate.types", "payments");
                RebuildThroughput.awaitNoMerges(es);
                ChildService child = new ChildService(jar, heap, opts, config, Path.of("bench", "target", id), name);
                ChildService.Timing t;
                try {
                    t = child.awaitCommitted(kafka, id + "-" + name, n);
                } finally {
                    child.stop();
                }
                String line = String.format("%s [%s]: %,.0f events/s, %.2f cores%n    %s", name, variants.get(v),
                        t.rate(), t.cores(), t.cpuShare());
                System.out.println(line);
                results.add(line);
                List<String> ours = List.copyOf(es.indices().get(g -> g.index(id + "-" + name + "-*")).result().keySet());
                es.indices().delete(d -> d.index(ours));
            }
        }
        ElasticsearchClients.close(es);
        ProcessStats.deleteTopics(kafka, id + "-");
        System.out.println();
        System.out.println("=== projector variants ===");
        results.forEach(System.out::println);
    }
}
