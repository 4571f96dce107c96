package io.eventflow.e2e;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Deletes what one test created (indices and topics named with its prefix), so repeated runs
 * against a long-lived local stack never reach Elasticsearch's shard limit. Best effort: a
 * failure here never fails the test.
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
