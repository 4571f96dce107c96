package io.eventflow.e2e;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Deletes what one test created (indices, topics and the topics' registry subjects, all named
 * with its prefix), so repeated runs against a long-lived local stack never reach Elasticsearch's
 * shard limit nor fill the registry, which keeps its subjects across restarts (ADR 0009). Best
 * effort: a failure here never fails the test.
 */
final class TestCleanup {
    private TestCleanup() {
    }

    /** Closes in reverse order of opening, and goes on past failures. */
    static void closeAll(List<AutoCloseable> closeables) {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    static void deleteIndices(ElasticsearchClient es, String prefix) {
        try {
            // Wildcard deletes are refused (action.destructive_requires_name): resolve the names first.
            List<String> names = List.copyOf(es.indices().get(g -> g.index(prefix + "*")).result().keySet());
            if (!names.isEmpty()) {
                es.indices().delete(d -> d.index(names));
            }
        } catch (Exception e) {
            // leave it
        }
    }

    static void deleteTopics(String bootstrapServers, String prefix) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<String> names = admin.listTopics().names().get().stream().filter(t -> t.startsWith(prefix)).toList();
            if (!names.isEmpty()) {
                admin.deleteTopics(names).all().get();
            }
        } catch (Exception e) {
            // leave it
        }
        deleteSubjects(TestServers.get().schemaRegistry(), prefix);
    }

    /** Soft then hard deletes the subjects whose name starts with {@code prefix} (topic-name strategy). */
    static void deleteSubjects(String registryUrl, String prefix) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(registryUrl + "/subjects"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (list.statusCode() != 200) {
                return;
            }
            for (var subject : new ObjectMapper().readTree(list.body())) {
                String name = subject.asText();
                if (!name.startsWith(prefix)) {
                    continue;
                }
                String url = registryUrl + "/subjects/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
                for (String target : List.of(url, url + "?permanent=true")) {
                    http.send(HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(10)).DELETE().build(),
                            HttpResponse.BodyHandlers.discarding());
                }
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // leave it
        }
    }

    static void deleteAll(String bootstrapServers, String elasticsearchUrl, String prefix) {
        var es = io.eventflow.eventstore.ElasticsearchClients.connect(elasticsearchUrl);
        try {
            deleteIndices(es, prefix);
        } finally {
            io.eventflow.eventstore.ElasticsearchClients.close(es);
        }
        deleteTopics(bootstrapServers, prefix);
    }
}
