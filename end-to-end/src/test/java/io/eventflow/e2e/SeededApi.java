package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import io.eventflow.aggregate.AggregateIndices;
import io.eventflow.aggregate.AggregateTypes;
import io.eventflow.eventstore.ElasticsearchClients;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.payments.Payments;
import io.eventflow.query.AnalyticsApi;
import io.eventflow.query.AnalyticsApiConfig;
import io.eventflow.workflows.Workflows;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * An analytics API started in-process on indices of its own (a random prefix), seeded straight
 * into Elasticsearch: the fixture of the API ITs that need a known dataset rather than the
 * pipeline. {@link #close} stops the API and deletes the indices.
 */
final class SeededApi implements AutoCloseable {
    final String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    final ElasticsearchClient es;
    final EventStoreIndices indices;
    private final BulkRequest.Builder bulk = new BulkRequest.Builder().refresh(Refresh.True);
    private AnalyticsApi api;

    SeededApi() throws IOException {
        es = ElasticsearchClients.connect(TestServers.get().elasticsearch());
        indices = AggregateIndices.of(prefix, AggregateTypes.of(Payments.TYPE, Workflows.TYPE));
        indices.ensure(es, 0);
    }

    SeededApi event(EventDocument d) {
        bulk.operations(o -> o.create(c -> c.index(indices.eventsAlias()).id(d.eventId()).routing(d.aggregateId()).document(d)));
        return this;
    }

    /** A payments read-model document under {@code paymentId}. */
    SeededApi payment(String paymentId, Map<String, Object> document) {
        bulk.operations(o -> o.index(c -> c.index(indices.alias("payments")).id(paymentId).document(document)));
        return this;
    }

    /**
     * Indexes what was seeded (searchable at once), then starts the API with {@code apiKeys} and
     * any {@code extra} configuration.
     */
    AnalyticsApi start(String apiKeys, Map<String, String> extra) throws IOException {
        assertThat(es.bulk(bulk.build()).errors()).isFalse();
        Map<String, String> config = new HashMap<>(Map.of(
                AnalyticsApiConfig.HTTP_HOST, "127.0.0.1", AnalyticsApiConfig.HTTP_PORT, "0",
                AnalyticsApiConfig.ELASTICSEARCH_URL, TestServers.get().elasticsearch(),
                AnalyticsApiConfig.INDEX_PREFIX, prefix, AnalyticsApiConfig.API_KEYS, apiKeys));
        config.putAll(extra);
        api = AnalyticsApi.start(new AnalyticsApiConfig(config));
        return api;
    }

    @Override
    public void close() {
        if (api != null) {
            api.close();
        }
        TestCleanup.deleteIndices(es, prefix);
        ElasticsearchClients.close(es);
    }
}
