package io.eventflow.projection;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.VersionType;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.MgetResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import io.eventflow.eventstore.ElasticsearchErrors;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.eventstore.PaymentView;
import io.eventflow.eventstore.Position;
import io.eventflow.schemas.EventEnvelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch of events to Elasticsearch in one bulk: the event store (op_type create,
 * {@code _id} = eventId) and the payments read model (the whole document, with
 * {@code version_type=external} = aggregate version). A replayed or stale write is therefore a
 * counted no-op (409), never an overwrite.
 *
 * <p>Transient failures (transport, 429, 5xx), of the whole request or of single items, are
 * retried with exponential backoff and jitter until they succeed or the caller aborts. Permanent
 * item failures (e.g. a 400 mapping error) are returned for the dead-letter topic; the rest of the
 * batch is written. Thread-safe: batches of different partitions run concurrently.
 *
 * <p>A payment document only moves from version n to a later one when the fold starts at n + 1.
 * If the document is further behind (after an alias swap, the new index may not have the event
 * the live projector wrote to the old one yet), the batch waits up to {@code gapWait} for the
 * missing versions, then folds over the gap and counts it. A document is written back to the
 * concrete index it was read from, so a swap between read and write cannot mix two indices.
 */
final class ElasticsearchProjection {
    private static final Logger log = LoggerFactory.getLogger(ElasticsearchProjection.class);
    static final String EVENTS = "events";
    static final String PAYMENTS = "payments";

    /** An event the projection read, with where it came from. */
    record Item(String topic, int partition, long offset, EventEnvelope event) {
        Position position() {
            return new Position(partition, offset);
        }
    }

    /** An item Elasticsearch refused for good, and why. */
    record Failure(Item item, String reason) {
    }

    /** The caller gave up on the batch (shutdown or lost partitions) while it was being retried. */
    static final class AbortedException extends RuntimeException {
        AbortedException() {
            super("batch aborted", null, false, false);
        }
    }

    /** Where a projection writes: an index or alias per model, or null to leave that model alone. */
    record Targets(String events, String payments) {
        static Targets live(EventStoreIndices indices) {
            return new Targets(indices.eventsAlias(), indices.paymentsAlias());
        }

        static Targets only(String model, String index) {
            Objects.requireNonNull(index, "index");
            return switch (model) {
                case EventStoreIndices.EVENTS -> new Targets(index, null);
                case EventStoreIndices.PAYMENTS -> new Targets(null, index);
                default -> throw new IllegalArgumentException("unknown model " + model);
            };
        }
    }

    /** How requests are retried and bounded. */
    record Policy(Backoff backoff, int maxRequestsInFlight, Duration gapWait) {
        Policy {
            Objects.requireNonNull(backoff, "backoff");
            Objects.requireNonNull(gapWait, "gapWait");
        }
    }

    /** A payment document as read, and the concrete index it came from. */
    private record Found(PaymentView view, String index) {
    }

    /** One pending write and the event it stands for. */
    private record Write(Item item, String index, BulkOperation op) {
    }

    /** Only what classify needs: parsing whole bulk answers was an eighth of the projector's CPU. */
    static final String BULK_FILTER_PATH = "took,errors,items.*._index,items.*._id,items.*.status,items.*.error";

    private final ElasticsearchClient client;
    private final ElasticsearchClient bulkClient;
    /** Requests in flight to Elasticsearch, at most max.in.flight.bulks; batches prepare outside it. */
    private final Semaphore requests;
    private final Targets targets;
    private final Backoff backoff;
    private final Duration gapWait;
    private final ProjectorMetrics metrics;

    ElasticsearchProjection(ElasticsearchClient client, Targets targets, Policy policy, ProjectorMetrics metrics) {
        this.client = Objects.requireNonNull(client, "client");
        this.requests = new Semaphore(policy.maxRequestsInFlight());
        this.bulkClient = client.withTransportOptions(o -> o.setParameter("filter_path", BULK_FILTER_PATH));
        this.targets = Objects.requireNonNull(targets, "targets");
        this.backoff = policy.backoff();
        this.gapWait = policy.gapWait();
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Projects the items (in partition order) and returns the ones refused permanently.
     *
     * @throws AbortedException when {@code abort} turns true while a transient failure is retried
     * @throws IllegalStateException when a whole request fails permanently (e.g. 401)
     */
    List<Failure> project(List<Item> items, BooleanSupplier abort) {
        List<Write> writes = new ArrayList<>(items.size() + items.size() / 2);
        if (targets.events() != null) {
            for (Item item : items) {
                var doc = EventJson.of(item.event(), item.position());
                writes.add(new Write(item, EVENTS, BulkOperation.of(b -> b.create(c -> c.index(targets.events())
                        .id(item.event().getEventId()).document(doc)))));
            }
        }
        if (targets.payments() != null) {
            writes.addAll(paymentWrites(items, abort));
        }
        return write(writes, abort);
    }

    /** The whole read-model document per payment, folded over the batch's events. */
    private List<Write> paymentWrites(List<Item> items, BooleanSupplier abort) {
        Map<String, List<Item>> byPayment = new LinkedHashMap<>();
        for (Item item : items) {
            if (PaymentViews.isPaymentEvent(item.event())) {
                byPayment.computeIfAbsent(item.event().getAggregateId(), k -> new ArrayList<>()).add(item);
            }
        }
        // A payment whose batch starts at version 1 needs no read: its document starts empty.
        List<String> toRead = new ArrayList<>();
        byPayment.forEach((id, events) -> {
            if (events.get(0).event().getVersion() > 1) {
                toRead.add(id);
            }
        });
        Map<String, Found> current = readWithoutGaps(byPayment, toRead, abort);
        List<Write> writes = new ArrayList<>(byPayment.size());
        int skipped = 0;
        for (var entry : byPayment.entrySet()) {
            Found found = current.get(entry.getKey());
            PaymentView view = found == null ? null : found.view();
            PaymentView before = view;
            for (Item item : entry.getValue()) {
                PaymentView next = PaymentViews.apply(view, item.event(), item.position());
                if (next == view) {
                    skipped++;
                }
                view = next;
            }
            if (view != before) {
                PaymentView doc = view;
                String index = found == null ? targets.payments() : found.index();
                writes.add(new Write(entry.getValue().get(entry.getValue().size() - 1), PAYMENTS,
                        BulkOperation.of(b -> b.index(x -> x.index(index).id(doc.paymentId())
                                .version(doc.version()).versionType(VersionType.External).document(doc)))));
            }
        }
        metrics.noop(PAYMENTS, skipped);
        return writes;
    }

    /** Reads the documents, waiting up to gapWait while some are more than one version behind their batch. */
    private Map<String, Found> readWithoutGaps(Map<String, List<Item>> byPayment, List<String> ids,
            BooleanSupplier abort) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        long deadline = System.nanoTime() + gapWait.toNanos();
        for (int attempt = 1; ; attempt++) {
            Map<String, Found> current = read(ids, abort);
            List<String> gaps = new ArrayList<>();
            for (String id : ids) {
                Found found = current.get(id);
                long have = found == null ? 0 : found.view().version();
                if (have < byPayment.get(id).get(0).event().getVersion() - 1) {
                    gaps.add(id);
                }
            }
            if (gaps.isEmpty()) {
                return current;
            }
            if (System.nanoTime() >= deadline) {
                Item first = byPayment.get(gaps.get(0)).get(0);
                log.error("{} payment documents in {} miss earlier versions after waiting {} ms, folding over the gap "
                        + "(e.g. {} at version {} for event {} v{} at {}-{}@{}); was an event dead-lettered?",
                        gaps.size(), targets.payments(), gapWait.toMillis(), gaps.get(0),
                        current.containsKey(gaps.get(0)) ? current.get(gaps.get(0)).view().version() : 0,
                        first.event().getEventId(), first.event().getVersion(), first.topic(), first.partition(),
                        first.offset());
                metrics.gaps(gaps.size());
                return current;
            }
            if (attempt == 1) {
                log.info("{} payment documents are behind their events (e.g. {}); waiting for the earlier versions, "
                        + "as after a rebuild's alias swap", gaps.size(), gaps.get(0));
            }
            pause(attempt, abort);
        }
    }

    private List<Failure> write(List<Write> writes, BooleanSupplier abort) {
        List<Failure> failures = new ArrayList<>();
        List<Write> pending = writes;
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt > 0) {
                pause(attempt, abort);
            }
            List<BulkOperation> ops = new ArrayList<>(pending.size());
            pending.forEach(w -> ops.add(w.op()));
            BulkResponse response;
            acquire(abort);
            long start = System.nanoTime();
            try {
                response = bulkClient.bulk(b -> b.operations(ops));
            } catch (Exception e) {
                handleRequestFailure("bulk of " + ops.size() + " writes", attempt, e);
                continue;
            } finally {
                metrics.bulk(System.nanoTime() - start);
                requests.release();
            }
            List<Write> retry = new ArrayList<>();
            int indexed = 0;
            Map<String, Integer> conflicts = new HashMap<>();
            for (int i = 0; i < response.items().size(); i++) {
                Write w = pending.get(i);
                BulkResponseItem result = response.items().get(i);
                int status = result.status();
                if (result.error() == null) {
                    indexed += EVENTS.equals(w.index()) ? 1 : 0;
                } else if (status == 409) {
                    conflicts.merge(w.index(), 1, Integer::sum);
                    indexed += EVENTS.equals(w.index()) ? 1 : 0;
                } else if (ElasticsearchErrors.isTransientStatus(status)) {
                    metrics.retry(status == 429 ? "429" : "5xx");
                    retry.add(w);
                } else {
                    failures.add(new Failure(w.item(), "elasticsearch refused " + result.index() + "/" + result.id()
                            + " with " + status + ": " + result.error().type() + ": " + result.error().reason()));
                }
            }
            metrics.indexed(indexed);
            conflicts.forEach(metrics::noop);
            if (!retry.isEmpty()) {
                log.warn("{} of {} bulk items failed transiently (attempt {}), retrying them", retry.size(), ops.size(),
                        attempt + 1);
            }
            pending = retry;
        }
        return failures;
    }

    private Map<String, Found> read(List<String> ids, BooleanSupplier abort) {
        for (int attempt = 0; ; attempt++) {
            if (attempt > 0) {
                pause(attempt, abort);
            }
            acquire(abort);
            try {
                MgetResponse<PaymentView> response;
                try {
                    response = client.mget(m -> m.index(targets.payments()).ids(ids), PaymentView.class);
                } finally {
                    requests.release();
                }
                Map<String, Found> views = new HashMap<>();
                boolean failed = false;
                for (MultiGetResponseItem<PaymentView> doc : response.docs()) {
                    if (doc.isResult() && doc.result().found()) {
                        views.put(doc.result().id(), new Found(doc.result().source(), doc.result().index()));
                    } else if (doc.isFailure()) {
                        log.warn("reading payment {} failed (attempt {}): {}", doc.failure().id(), attempt + 1,
                                doc.failure().error().reason());
                        metrics.retry("5xx");
                        failed = true;
                    }
                }
                if (!failed) {
                    return views;
                }
            } catch (Exception e) {
                handleRequestFailure("read of " + ids.size() + " payments", attempt, e);
            }
        }
    }

    private void acquire(BooleanSupplier abort) {
        try {
            while (!requests.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (abort.getAsBoolean()) {
                    throw new AbortedException();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AbortedException();
        }
    }

    private void handleRequestFailure(String what, int attempt, Exception e) {
        if (!ElasticsearchErrors.isTransient(e)) {
            throw new IllegalStateException(what + " failed permanently: " + e, e);
        }
        metrics.retry(e instanceof ElasticsearchException ee && ee.status() == 429 ? "429"
                : e instanceof ElasticsearchException ? "5xx" : "transport");
        if (attempt == 0 || attempt % 10 == 0) {
            log.warn("{} failed transiently (attempt {}), retrying with backoff: {}", what, attempt + 1, e.toString());
        }
    }

    private void pause(int attempt, BooleanSupplier abort) {
        long until = System.nanoTime() + backoff.delayMillis(attempt - 1) * 1_000_000;
        while (System.nanoTime() < until) {
            if (abort.getAsBoolean()) {
                throw new AbortedException();
            }
            try {
                Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AbortedException();
            }
        }
        if (abort.getAsBoolean()) {
            throw new AbortedException();
        }
    }
}
