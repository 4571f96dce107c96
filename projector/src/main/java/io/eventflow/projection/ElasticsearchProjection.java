package io.eventflow.projection;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.VersionType;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.MgetResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import io.eventflow.eventstore.ElasticsearchErrors;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.eventstore.PaymentView;
import io.eventflow.schemas.EventEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch of events to Elasticsearch: the event store (op_type create, {@code _id} =
 * eventId, so a replay is a no-op) and the payments read model (external version = aggregate
 * version, so an older or repeated event never overwrites a newer document).
 *
 * <p>Transient failures (transport, 429, 5xx) are retried with backoff and, past the attempt
 * budget, raised as {@link TransientProjectionException}; permanent item failures are returned so
 * the caller can dead-letter them. Not thread-safe: one instance per projection loop.
 */
final class ElasticsearchProjection {
    private static final Logger log = LoggerFactory.getLogger(ElasticsearchProjection.class);

    /** An event the projection read, with where it came from. */
    record Item(String topic, int partition, long offset, EventEnvelope event) {
    }

    /** An item Elasticsearch refused for good, and why. */
    record Failure(Item item, String reason) {
    }

    private final ElasticsearchClient client;
    private final EventStoreIndices indices;
    private final int maxAttempts;
    private final Duration backoff;

    ElasticsearchProjection(ElasticsearchClient client, EventStoreIndices indices, int maxAttempts, Duration backoff) {
        this.client = Objects.requireNonNull(client, "client");
        this.indices = Objects.requireNonNull(indices, "indices");
        this.maxAttempts = maxAttempts;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    /** Projects the items; returns the ones refused permanently. */
    List<Failure> project(List<Item> items) {
        List<Failure> failures = new ArrayList<>(indexEvents(items));
        failures.addAll(updatePayments(items));
        return failures;
    }

    private List<Failure> indexEvents(List<Item> items) {
        List<Failure> failures = new ArrayList<>();
        List<Item> pending = items;
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            List<BulkOperation> ops = new ArrayList<>(pending.size());
            for (Item item : pending) {
                var doc = EventDocuments.of(item.event());
                ops.add(BulkOperation.of(b -> b.create(c -> c.index(indices.eventsAlias()).id(doc.eventId()).document(doc))));
            }
            List<Item> retry = new ArrayList<>();
            BulkResponse response = bulk(ops, attempt, "event store");
            if (response == null) {
                retry = pending;
            } else {
                for (int i = 0; i < response.items().size(); i++) {
                    classify(pending.get(i), response.items().get(i), retry, failures);
                }
            }
            pending = retry;
            if (!pending.isEmpty()) {
                pause(attempt, pending.size() + " event-store writes");
            }
        }
        return failures;
    }

    private List<Failure> updatePayments(List<Item> items) {
        Map<String, List<Item>> byPayment = new LinkedHashMap<>();
        for (Item item : items) {
            byPayment.computeIfAbsent(item.event().getAggregateId(), k -> new ArrayList<>()).add(item);
        }
        for (int attempt = 1; ; attempt++) {
            Map<String, PaymentView> current = currentViews(new ArrayList<>(byPayment.keySet()), attempt);
            if (current != null) {
                List<BulkOperation> ops = new ArrayList<>();
                List<Item> lastItems = new ArrayList<>();
                for (var entry : byPayment.entrySet()) {
                    PaymentView before = current.get(entry.getKey());
                    PaymentView view = before;
                    for (Item item : entry.getValue()) {
                        view = PaymentViews.apply(view, item.event());
                    }
                    if (view == before) {
                        continue;
                    }
                    PaymentView doc = view;
                    ops.add(BulkOperation.of(b -> b.index(x -> x.index(indices.paymentsAlias()).id(doc.paymentId())
                            .version(doc.version()).versionType(VersionType.External).document(doc))));
                    lastItems.add(entry.getValue().get(entry.getValue().size() - 1));
                }
                if (ops.isEmpty()) {
                    return List.of();
                }
                BulkResponse response = bulk(ops, attempt, "payments read model");
                if (response != null) {
                    List<Item> retry = new ArrayList<>();
                    List<Failure> failures = new ArrayList<>();
                    for (int i = 0; i < response.items().size(); i++) {
                        classify(lastItems.get(i), response.items().get(i), retry, failures);
                    }
                    if (retry.isEmpty()) {
                        return failures;
                    }
                }
            }
            // Re-read and re-fold: a concurrent writer may have moved a document meanwhile.
            pause(attempt, "payments read-model writes");
        }
    }

    /** Sorts one bulk item into done (2xx, or 409 = already there / newer), retry, or failed. */
    private static void classify(Item item, BulkResponseItem result, List<Item> retry, List<Failure> failures) {
        int status = result.status();
        if (result.error() == null || status == 409) {
            return;
        }
        if (ElasticsearchErrors.isTransientStatus(status)) {
            retry.add(item);
        } else {
            failures.add(new Failure(item, "elasticsearch refused " + result.index() + "/" + result.id() + " with "
                    + status + ": " + result.error().type() + ": " + result.error().reason()));
        }
    }

    private BulkResponse bulk(List<BulkOperation> ops, int attempt, String what) {
        try {
            return client.bulk(b -> b.operations(ops));
        } catch (Exception e) {
            if (!ElasticsearchErrors.isTransient(e)) {
                throw new IllegalStateException("bulk write to the " + what + " failed permanently: " + e, e);
            }
            log.warn("bulk write to the {} failed (attempt {}): {}", what, attempt, e.toString());
            return null;
        }
    }

    private Map<String, PaymentView> currentViews(List<String> ids, int attempt) {
        try {
            MgetResponse<PaymentView> response = client.mget(m -> m.index(indices.paymentsAlias()).ids(ids),
                    PaymentView.class);
            Map<String, PaymentView> views = new HashMap<>();
            for (MultiGetResponseItem<PaymentView> doc : response.docs()) {
                if (doc.isResult() && doc.result().found()) {
                    views.put(doc.result().id(), doc.result().source());
                } else if (doc.isFailure()) {
                    log.warn("reading payment {} from the read model failed (attempt {}): {}", doc.failure().id(),
                            attempt, doc.failure().error().reason());
                    return null;
                }
            }
            return views;
        } catch (Exception e) {
            if (!ElasticsearchErrors.isTransient(e)) {
                throw new IllegalStateException("reading the payments read model failed permanently: " + e, e);
            }
            log.warn("reading the payments read model failed (attempt {}): {}", attempt, e.toString());
            return null;
        }
    }

    private void pause(int attempt, String what) {
        if (attempt >= maxAttempts) {
            throw new TransientProjectionException("gave up on " + what + " after " + attempt + " attempts", null);
        }
        try {
            Thread.sleep(Math.min(backoff.toMillis() << Math.min(attempt - 1, 6), 10_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientProjectionException("interrupted while retrying " + what, e);
        }
    }
}
