package io.eventflow.projection.sink;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.VersionType;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.MgetRequest;
import co.elastic.clients.elasticsearch.core.MgetResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.get.GetResult;
import co.elastic.clients.elasticsearch.core.mget.MultiGetOperation;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import co.elastic.clients.util.ObjectBuilder;
import io.eventflow.eventstore.LogContext;
import io.eventflow.eventstore.ElasticsearchErrors;
import io.eventflow.eventstore.EventDigest;
import io.eventflow.eventstore.EventIds;
import io.eventflow.eventstore.EventRouting;
import io.eventflow.eventstore.EventStoreIndices;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.eventstore.Position;
import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.Domain;
import io.eventflow.aggregate.Envelopes.EventView;
import io.eventflow.aggregate.Histories;
import io.eventflow.aggregate.ReadModel;
import io.eventflow.aggregate.Recorded;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.ElasticsearchClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.common.utils.ExponentialBackoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch of events to Elasticsearch: first the event store (op_type create, {@code _id} =
 * eventId, routed by aggregate id ({@link EventRouting}), with the event's {@link EventDigest}), then, in a second bulk, the payments read model
 * (the whole document, with {@code version_type=external} = aggregate version), folded only over
 * events the event store holds.
 *
 * <p>A 409 on an event document is a no-op only when the stored document has this event's digest;
 * otherwise it is an integrity error (counted, logged, returned for the dead-letter topic). An event
 * the event store refused, and every later event of its aggregate in the batch, is not folded: the
 * later ones are returned too, since the read model cannot take them without it. A 409 on a payment
 * document is a no-op only when the document, read again, is at or beyond the version written;
 * otherwise it is folded again from what is there (bounded), then an integrity error.
 *
 * <p>A payment document only moves from version n to a later one when every version in between is
 * folded in. When it is further behind than its batch (after an alias swap, or a document written
 * over), the missing versions are read from the event store: by id ({@link EventIds}), then by
 * aggregate id and version for events with older ids; for those still missing the batch waits up
 * to {@code gapWait}, then returns that aggregate's events with the missing versions named and
 * writes nothing for it. It never folds over a gap. A document is written back to the concrete
 * index it was read from, so a swap between read and write cannot mix two indices.
 *
 * <p>Transient failures (transport, 429, 5xx), of the whole request or of single items, are
 * retried with exponential backoff and jitter until they succeed or the caller aborts. Permanent
 * item failures (e.g. a 400 mapping error) are returned for the dead-letter topic; the rest of the
 * batch is written. Thread-safe: batches of different partitions run concurrently.
 */
public final class ElasticsearchProjection {
    private static final Logger log = LoggerFactory.getLogger(ElasticsearchProjection.class);
    static final String EVENTS = "events";
    /** How often a payment document that 409s without being ahead is folded and written again. */
    static final int MAX_REFOLDS = 3;
    /** How often an event document that 409s but cannot be read back is created again. */
    private static final int MAX_EVENT_RECREATES = 3;
    /** The most events one gap search returns; what it leaves out counts as missing. */
    private static final int MAX_GAP_SEARCH = 10_000;

    /** An event the projection read, with where it came from and its aggregate type. */
    public record Item(String topic, int partition, long offset, AggregateType<?, ?, ?> type, EventView event) {
        public Item {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(event, "event");
        }

        Position position() {
            return new Position(topic, partition, offset);
        }
    }

    /** An item Elasticsearch refused for good, and why. */
    public record Failure(Item item, String reason) {
    }

    /** The caller gave up on the batch (shutdown or lost partitions) while it was being retried. */
    public static final class AbortedException extends RuntimeException {
        public AbortedException() {
            super("batch aborted", null, false, false);
        }
    }

    /**
     * Where a projection writes: an index or alias per model, or null to leave that model alone;
     * and {@code eventStore}, the alias the read model's missing versions are read from.
     */
    public record Targets(String events, Map<String, String> readModels, String eventStore) {
        public Targets {
            Objects.requireNonNull(eventStore, "eventStore");
            readModels = Map.copyOf(readModels);
        }

        /** The event store and every read model of {@code indices}, through their aliases. */
        public static Targets live(EventStoreIndices indices) {
            Map<String, String> readModels = new LinkedHashMap<>();
            indices.readModels().forEach(m -> readModels.put(m, indices.alias(m)));
            return new Targets(indices.eventsAlias(), readModels, indices.eventsAlias());
        }

        /**
         * Only {@code model} ({@code events} or a read model of {@code indices}), into {@code index};
         * missing read-model versions come from the live event store.
         */
        public static Targets only(String model, String index, EventStoreIndices indices) {
            Objects.requireNonNull(index, "index");
            if (EventStoreIndices.EVENTS.equals(model)) {
                return new Targets(index, Map.of(), indices.eventsAlias());
            }
            if (!indices.readModels().contains(model)) {
                throw new IllegalArgumentException("unknown model " + model + ": expected events or one of "
                        + indices.readModels());
            }
            return new Targets(null, Map.of(model, index), indices.eventsAlias());
        }

        /** The index of {@code type}'s read model, or null when this projection leaves it alone. */
        String readModel(AggregateType<?, ?, ?> type) {
            return readModels.get(type.names().readModel());
        }
    }

    /** How requests are retried and bounded. */
    public record Policy(ExponentialBackoff backoff, int maxRequestsInFlight, Duration gapWait) {
        public Policy {
            Objects.requireNonNull(backoff, "backoff");
            Objects.requireNonNull(gapWait, "gapWait");
        }
    }

    /** One pending write and the event it stands for. */
    private record Write(Item item, String index, BulkOperation op) {
    }

    /** What Elasticsearch made of one write, after transient failures were retried. */
    private sealed interface Outcome {
        record Done() implements Outcome {
        }

        /** A 409; {@code index} is the concrete index that holds the conflicting document. */
        record Conflict(String index) implements Outcome {
        }

        record Refused(String reason) implements Outcome {
        }
    }

    /** Only what classify needs: parsing whole bulk answers was an eighth of the projector's CPU. */
    static final String BULK_FILTER_PATH = "took,errors,items.*._index,items.*._id,items.*.status,items.*.error";

    private static final ObjectMapper MAPPER = ElasticsearchClients.objectMapper();

    private final ElasticsearchClient client;
    private final ElasticsearchClient bulkClient;
    /** Requests in flight to Elasticsearch, at most max.in.flight.bulks; batches prepare outside it. */
    private final Semaphore requests;
    private final Targets targets;
    private final ExponentialBackoff backoff;
    private final Duration gapWait;
    private final SinkMetrics metrics;

    public ElasticsearchProjection(ElasticsearchClient client, Targets targets, Policy policy, SinkMetrics metrics) {
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
    public List<Failure> project(List<Item> items, BooleanSupplier abort) {
        List<Failure> failures = new ArrayList<>();
        // Items the event store does not hold as themselves; null when this projection writes no events.
        Set<Item> notHeld = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<AggregateType<?, ?, ?>, List<Item>> readModels = byType(items);
        if (targets.events() != null) {
            writeEvents(items, failures, notHeld, abort);
        } else if (!readModels.isEmpty()) {
            checkEventStore(items, failures, notHeld, abort);
        }
        readModels.forEach((type, mine) -> new ReadModelWrite<>(type).write(mine, notHeld, failures, abort));
        return failures;
    }

    /**
     * For a projection that writes no events (a rebuild of the read model): which payment events the
     * event store holds as themselves. One it does not hold yet is waited for up to gapWait (the live
     * projector may be behind), then left out, as the live projector left it out of the read model.
     */
    private void checkEventStore(List<Item> items, List<Failure> failures, Set<Item> notHeld, BooleanSupplier abort) {
        long deadline = System.nanoTime() + gapWait.toNanos();
        Map<String, Item> pending = new LinkedHashMap<>();
        for (Item item : items) {
            if (folds(item)) {
                pending.putIfAbsent(item.event().eventId(), item);
            }
        }
        Map<String, String> digests = new HashMap<>();
        for (int attempt = 1; ; attempt++) {
            List<MultiGetOperation> docs = new ArrayList<>(pending.size());
            pending.forEach((id, item) -> docs.add(MultiGetOperation.of(d -> d.index(targets.eventStore()).id(id)
                    .routing(EventRouting.of(item.event().aggregateId())))));
            for (GetResult<Map<String, Object>> r : mget(docs, abort, "event documents")) {
                Item item = pending.remove(r.id());
                String digest = digests.computeIfAbsent(r.id(), id -> EventDocuments.digest(item.event()));
                String stored = EventDigest.ofSource(r.source());
                if (!stored.equals(digest) && !sameEventInAnotherShape(item, r.source())) {
                    integrityError(EVENTS, item, failures, notHeld, "event id " + r.id() + " is taken in "
                            + r.index() + " by a different event (digest " + stored + " != " + digest + ")");
                }
            }
            if (pending.isEmpty()) {
                break;
            }
            if (System.nanoTime() >= deadline) {
                for (Item item : pending.values()) {
                    failures.add(new Failure(item, "not applied to the " + item.type().names().readModel() + " read model: event "
                            + item.event().eventId() + " is not in " + targets.eventStore() + " after waiting "
                            + gapWait.toMillis() + " ms (the live projector dead-lettered it, or is behind)"));
                    notHeld.add(item);
                }
                break;
            }
            pause(attempt, abort);
        }
        // Replays of one event share its id: all of them count as held or not, as the first.
        Set<String> notHeldIds = new HashSet<>();
        notHeld.forEach(item -> notHeldIds.add(item.event().eventId()));
        for (Item item : items) {
            if (folds(item) && notHeldIds.contains(item.event().eventId())) {
                notHeld.add(item);
            }
        }
    }

    // ---- event store -------------------------------------------------------------------------

    private void writeEvents(List<Item> items, List<Failure> failures, Set<Item> notHeld, BooleanSupplier abort) {
        Map<Item, String> digests = new IdentityHashMap<>();
        List<Write> pending = new ArrayList<>(items.size());
        for (Item item : items) {
            String digest = EventDocuments.digest(item.event());
            digests.put(item, digest);
            pending.add(eventWrite(item, digest));
        }
        int indexed = 0;
        int noops = 0;
        for (int round = 0; !pending.isEmpty(); round++) {
            List<Outcome> outcomes = bulk(pending, abort);
            Map<Write, String> conflicts = new LinkedHashMap<>();
            for (int i = 0; i < pending.size(); i++) {
                Write w = pending.get(i);
                Outcome outcome = outcomes.get(i);
                if (outcome instanceof Outcome.Conflict c) {
                    conflicts.put(w, c.index());
                } else if (outcome instanceof Outcome.Refused r) {
                    failures.add(new Failure(w.item(), r.reason()));
                    notHeld.add(w.item());
                } else {
                    indexed++;
                }
            }
            List<Write> again = new ArrayList<>();
            if (!conflicts.isEmpty()) {
                Map<String, Map<String, Object>> stored = readEvents(conflicts, abort);
                for (var entry : conflicts.entrySet()) {
                    Item item = entry.getKey().item();
                    Map<String, Object> source = stored.get(entry.getValue() + "/" + item.event().eventId());
                    if (source == null && round + 1 < MAX_EVENT_RECREATES) {
                        // Gone between the 409 and the read: create it again.
                        again.add(entry.getKey());
                    } else if (source == null) {
                        integrityError(EVENTS, item, failures, notHeld, "event document " + entry.getValue() + "/"
                                + item.event().eventId() + " answered 409 but cannot be read back");
                    } else {
                        String storedDigest = EventDigest.ofSource(source);
                        if (storedDigest.equals(digests.get(item)) || sameEventInAnotherShape(item, source)) {
                            indexed++;
                            noops++;
                        } else {
                            integrityError(EVENTS, item, failures, notHeld, "event id " + item.event().eventId()
                                    + " is already taken in " + entry.getValue() + " by a different event (aggregate "
                                    + source.get("aggregateType") + "/" + source.get("aggregateId") + " v"
                                    + source.get("version") + ", " + source.get("eventType") + ", causation "
                                    + source.get("causationId") + ", digest " + storedDigest + " != "
                                    + digests.get(item) + ")");
                        }
                    }
                }
            }
            pending = again;
        }
        metrics.indexed(indexed);
        metrics.noop(EVENTS, noops);
    }

    /**
     * Whether a stored document whose digest differs is still this event, written from an older
     * shape of its record (a field since added with a default, or renamed with an alias): same
     * aggregate, version, type and cause, and its data reads back, through Avro's resolution and the
     * type's upcaster, as the same domain event. Anything else is another event under this id.
     */
    private static boolean sameEventInAnotherShape(Item item, Map<String, Object> source) {
        EventView e = item.event();
        if (!e.aggregateType().equals(source.get("aggregateType")) || !e.aggregateId().equals(source.get("aggregateId"))
                || !(source.get("version") instanceof Number v) || v.longValue() != e.version()
                || !e.eventType().equals(source.get("eventType"))
                || !java.util.Objects.equals(e.causationId(), source.get("causationId"))) {
            return false;
        }
        try {
            EventDocument stored = MAPPER.convertValue(source, EventDocument.class);
            return sameEvent(item.type(), e, stored);
        } catch (RuntimeException ex) {
            return false;
        }
    }

    private static <E> boolean sameEvent(AggregateType<?, ?, E> type, EventView e, EventDocument stored) {
        return Histories.recorded(type, stored).event().equals(type.avro().event(e.payload()));
    }

    private Write eventWrite(Item item, String digest) {
        var doc = EventDocuments.json(item.event(), item.position(), digest);
        return new Write(item, EVENTS, BulkOperation.of(b -> b.create(c -> c.index(targets.events())
                .id(item.event().eventId()).routing(EventRouting.of(item.event().aggregateId())).document(doc))));
    }

    private void integrityError(String model, Item item, List<Failure> failures, Set<Item> notHeld, String reason) {
        EventView e = item.event();
        metrics.integrityError(model);
        try (var ignored = LogContext.record(item.topic(), item.partition(), item.offset()).eventId(e.eventId())) {
            log.error("integrity error on {}-{}@{}: event {} of {}/{} v{}: {}", item.topic(), item.partition(),
                    item.offset(), e.eventId(), e.aggregateType(), e.aggregateId(), e.version(), reason);
        }
        failures.add(new Failure(item, "integrity error: " + reason));
        notHeld.add(item);
    }

    /** The stored event documents behind the conflicts, by "index/id" (realtime, so just written ones count). */
    private Map<String, Map<String, Object>> readEvents(Map<Write, String> conflicts, BooleanSupplier abort) {
        List<MultiGetOperation> docs = new ArrayList<>(conflicts.size());
        conflicts.forEach((w, index) -> docs.add(MultiGetOperation.of(d -> d.index(index).id(w.item().event()
                .eventId()).routing(EventRouting.of(w.item().event().aggregateId())))));
        Map<String, Map<String, Object>> out = new HashMap<>();
        mget(docs, abort, "event documents").forEach(r -> out.put(r.index() + "/" + r.id(), r.source()));
        return out;
    }

    // ---- read models -------------------------------------------------------------------------

    /** True when this projection folds the item into its type's read model. */
    private boolean folds(Item item) {
        return targets.readModel(item.type()) != null;
    }

    /** The items of each aggregate type whose read model this projection writes, in batch order. */
    private Map<AggregateType<?, ?, ?>, List<Item>> byType(List<Item> items) {
        Map<AggregateType<?, ?, ?>, List<Item>> out = new LinkedHashMap<>();
        for (Item item : items) {
            if (folds(item)) {
                out.computeIfAbsent(item.type(), t -> new ArrayList<>()).add(item);
            }
        }
        return out;
    }

    /**
     * Writes one aggregate type's read model for the items of a batch. Generic over the type's
     * state: the documents are its {@link ReadModel}'s, the fold its {@link Domain#evolve}.
     */
    private final class ReadModelWrite<S, C, E> {
        private final AggregateType<S, C, E> type;
        private final Domain<S, C, E> domain;
        private final ReadModel<S> readModel;
        private final String model;
        private final String target;

        ReadModelWrite(AggregateType<S, C, E> type) {
            this.type = type;
            this.domain = type.domain();
            this.readModel = type.readModel();
            this.model = type.names().readModel();
            this.target = Objects.requireNonNull(targets.readModel(type), "target");
        }

        /** A document as read, and the concrete index it came from. */
        private record Found<S>(S state, Position position, String index) {
        }

        /** An event to fold, from the batch ({@code item} set) or read from the event store. */
        private record Step(Recorded<?> event, Position at, Item item) {
        }

        private Step step(Item item) {
            E event = type.avro().event(item.event().payload());
            return new Step(new Recorded<>(item.event().aggregateId(), item.event().version(),
                    item.event().timestamp(), event), item.position(), item);
        }

        void write(List<Item> items, Set<Item> notHeld, List<Failure> failures, BooleanSupplier abort) {
            Map<String, List<Item>> byAggregate = new LinkedHashMap<>();
            // Per aggregate, its first event the event store does not hold: nothing after it is folded.
            Map<String, Item> cutShort = new HashMap<>();
            for (Item item : items) {
                String id = item.event().aggregateId();
                if (notHeld.contains(item)) {
                    cutShort.putIfAbsent(id, item);
                } else if (cutShort.containsKey(id)) {
                    Item refused = cutShort.get(id);
                    failures.add(new Failure(item, "not applied to the " + model + " read model: version "
                            + refused.event().version() + " of " + id + " (event " + refused.event().eventId()
                            + ") is not in the event store as itself"
                            + (targets.events() != null ? "; this event is indexed there" : "")));
                } else {
                    byAggregate.computeIfAbsent(id, k -> new ArrayList<>()).add(item);
                }
            }
            if (byAggregate.isEmpty()) {
                return;
            }
            long deadline = System.nanoTime() + gapWait.toNanos();
            // Round 0 reads only aggregates whose batch starts above version 1: a new one costs no read.
            Map<String, List<Item>> pending = byAggregate;
            boolean readAll = false;
            int noops = 0;
            for (int round = 0; !pending.isEmpty(); round++) {
                boolean refold = round > 0;
                Map<String, List<Step>> folds = new LinkedHashMap<>();
                Map<String, Found<S>> current = prepare(pending, readAll, deadline, folds, failures, abort);
                List<Write> writes = new ArrayList<>();
                Map<Write, String> writeOf = new IdentityHashMap<>();
                for (var entry : folds.entrySet()) {
                    String id = entry.getKey();
                    Found<S> found = current.get(id);
                    S state = found == null ? null : found.state();
                    Position position = found == null ? null : found.position();
                    S before = state;
                    for (Step step : entry.getValue()) {
                        if (state != null && step.event().version() <= domain.version(state)) {
                            if (step.item() != null) {
                                noops++;
                            }
                            continue;
                        }
                        @SuppressWarnings("unchecked")
                        Recorded<E> event = (Recorded<E>) step.event();
                        state = domain.evolve(state == null ? domain.initial(id) : state, event);
                        position = step.at();
                    }
                    if (state == before) {
                        continue;
                    }
                    Map<String, Object> doc = document(state, position);
                    long version = domain.version(state);
                    String index = found == null ? target : found.index();
                    // Folding again after a 409 from a document that is not ahead (a tombstone, or a body
                    // behind its _version): the fold at this version is fixed by the event store, so an
                    // equal _version may be overwritten.
                    VersionType versionType = refold ? VersionType.ExternalGte : VersionType.External;
                    List<Item> mine = pending.get(id);
                    Write w = new Write(mine.get(mine.size() - 1), model, BulkOperation.of(b -> b.index(x -> x
                            .index(index).id(id).version(version).versionType(versionType).document(doc))));
                    writes.add(w);
                    writeOf.put(w, id);
                }
                if (writes.isEmpty()) {
                    break;
                }
                List<Outcome> outcomes = bulk(writes, abort);
                Map<String, Long> conflicts = new LinkedHashMap<>();
                for (int i = 0; i < writes.size(); i++) {
                    Write w = writes.get(i);
                    String id = writeOf.get(w);
                    Outcome outcome = outcomes.get(i);
                    if (outcome instanceof Outcome.Conflict) {
                        conflicts.put(id, versionOf(w));
                    } else if (outcome instanceof Outcome.Refused r) {
                        pending.get(id).forEach(item -> failures.add(new Failure(item, r.reason())));
                    }
                }
                if (conflicts.isEmpty()) {
                    break;
                }
                Map<String, Found<S>> after = read(new ArrayList<>(conflicts.keySet()), abort);
                Map<String, List<Item>> again = new LinkedHashMap<>();
                for (var entry : conflicts.entrySet()) {
                    Found<S> f = after.get(entry.getKey());
                    if (f != null && domain.version(f.state()) >= entry.getValue()) {
                        noops++;
                    } else if (round + 1 < MAX_REFOLDS) {
                        again.put(entry.getKey(), pending.get(entry.getKey()));
                    } else {
                        String reason = model + " document " + entry.getKey() + " in " + target
                                + " refuses version " + entry.getValue() + " (409) but reads as "
                                + (f == null ? "absent" : "version " + domain.version(f.state())) + " after "
                                + MAX_REFOLDS + " folds; a rebuild of the " + model + " read model repairs it";
                        for (Item item : pending.get(entry.getKey())) {
                            integrityError(model, item, failures, notHeld, reason);
                        }
                    }
                }
                pending = again;
                readAll = true;
            }
            metrics.noop(model, noops);
        }

        private Map<String, Object> document(S state, Position position) {
            return EventDocuments.readModel(readModel.toDocument(state), position);
        }

        /**
         * Reads the documents of {@code byAggregate} (all, or only those whose batch starts above
         * version 1) and the event-store versions each misses, waiting until {@code deadline} for
         * versions not found; puts each aggregate's fold into {@code folds}, and the events of
         * aggregates whose gap stays open into {@code failures}. Returns the documents read.
         */
        private Map<String, Found<S>> prepare(Map<String, List<Item>> byAggregate, boolean readAll, long deadline,
                Map<String, List<Step>> folds, List<Failure> failures, BooleanSupplier abort) {
            Map<String, List<Item>> pending = byAggregate;
            Map<String, Found<S>> docs = new HashMap<>();
            for (int attempt = 1; ; attempt++) {
                List<String> toRead = new ArrayList<>();
                pending.forEach((id, events) -> {
                    if (readAll || events.get(0).event().version() > 1) {
                        toRead.add(id);
                    }
                });
                Map<String, Found<S>> current = toRead.isEmpty() ? Map.of() : read(toRead, abort);
                // Per aggregate, the versions it needs that are neither in the document nor in the batch.
                Map<String, SortedSet<Long>> missing = new LinkedHashMap<>();
                pending.forEach((id, events) -> {
                    Found<S> found = current.get(id);
                    long have = found == null ? 0 : domain.version(found.state());
                    Set<Long> inBatch = new HashSet<>();
                    long top = 0;
                    for (Item item : events) {
                        inBatch.add(item.event().version());
                        top = Math.max(top, item.event().version());
                    }
                    SortedSet<Long> needs = new TreeSet<>();
                    for (long v = have + 1; v < top; v++) {
                        if (!inBatch.contains(v)) {
                            needs.add(v);
                        }
                    }
                    missing.put(id, needs);
                });
                Map<String, Map<Long, Step>> filled = fill(missing, abort);
                Map<String, List<Item>> open = new LinkedHashMap<>();
                for (var entry : pending.entrySet()) {
                    String id = entry.getKey();
                    Map<Long, Step> got = filled.getOrDefault(id, Map.of());
                    SortedSet<Long> still = new TreeSet<>(missing.get(id));
                    still.removeAll(got.keySet());
                    if (!still.isEmpty()) {
                        open.put(id, entry.getValue());
                        missing.put(id, still);
                        continue;
                    }
                    // Batch events at or below the document's version, or replayed twice, stay in: the
                    // fold counts them as no-ops. The sort is stable, so a batch keeps its order.
                    List<Step> ordered = new ArrayList<>(got.values());
                    for (Item item : entry.getValue()) {
                        ordered.add(step(item));
                    }
                    ordered.sort(Comparator.comparingLong(step -> step.event().version()));
                    folds.put(id, ordered);
                    if (current.get(id) != null) {
                        docs.put(id, current.get(id));
                    }
                }
                if (open.isEmpty()) {
                    return docs;
                }
                if (System.nanoTime() >= deadline) {
                    for (var entry : open.entrySet()) {
                        Item first = entry.getValue().get(0);
                        Found<S> found = current.get(entry.getKey());
                        String reason = "gap in the " + model + " read model: " + entry.getKey() + " is at version "
                                + (found == null ? 0 : domain.version(found.state())) + " in " + target
                                + " and versions " + missing.get(entry.getKey()) + " are in neither the batch nor "
                                + targets.eventStore() + " after waiting " + gapWait.toMillis()
                                + " ms; nothing was written for it";
                        try (var ignored = LogContext.record(first.topic(), first.partition(), first.offset())
                                .eventId(first.event().eventId())) {
                            log.error("{}-{}@{}: event {} v{}: {}", first.topic(), first.partition(), first.offset(),
                                    first.event().eventId(), first.event().version(), reason);
                        }
                        entry.getValue().forEach(item -> failures.add(new Failure(item, reason)));
                    }
                    metrics.gaps(open.size());
                    return docs;
                }
                if (attempt == 1) {
                    String id = open.keySet().iterator().next();
                    log.info("{} {} documents miss versions that neither the batch nor the event store has yet (e.g. "
                            + "{}: {}); waiting for them, as after a rebuild's alias swap", open.size(), model, id,
                            missing.get(id));
                }
                pause(attempt, abort);
                pending = open;
            }
        }

        /**
         * Reads the missing versions from the event store: by computed id first, then, for events
         * with older ids, by aggregate type, id and version. Returns the versions found, per aggregate.
         */
        private Map<String, Map<Long, Step>> fill(Map<String, SortedSet<Long>> missing, BooleanSupplier abort) {
            Map<String, Map<Long, Step>> out = new HashMap<>();
            List<MultiGetOperation> docs = new ArrayList<>();
            missing.forEach((id, versions) -> {
                for (long v : versions) {
                    String eventId = EventIds.of(type.names().type(), id, v);
                    docs.add(MultiGetOperation.of(d -> d.index(targets.eventStore()).id(eventId)
                            .routing(EventRouting.of(id))));
                }
            });
            if (docs.isEmpty()) {
                return out;
            }
            for (GetResult<Map<String, Object>> r : mget(docs, abort, "missing events")) {
                take(r.source(), missing, out);
            }
            Map<String, SortedSet<Long>> left = new LinkedHashMap<>();
            missing.forEach((id, versions) -> {
                SortedSet<Long> rest = new TreeSet<>(versions);
                rest.removeAll(out.getOrDefault(id, Map.of()).keySet());
                if (!rest.isEmpty()) {
                    left.put(id, rest);
                }
            });
            if (!left.isEmpty()) {
                for (Map<String, Object> source : searchEvents(type.names().type(), left, abort)) {
                    take(source, left, out);
                }
            }
            return out;
        }

        private void take(Map<String, Object> source, Map<String, SortedSet<Long>> missing,
                Map<String, Map<Long, Step>> out) {
            if (source == null || !(source.get("version") instanceof Number n)
                    || !type.names().type().equals(source.get("aggregateType"))) {
                return;
            }
            String id = String.valueOf(source.get("aggregateId"));
            long version = n.longValue();
            if (!missing.getOrDefault(id, new TreeSet<>()).contains(version)) {
                return;
            }
            try {
                EventDocument doc = MAPPER.convertValue(source, EventDocument.class);
                out.computeIfAbsent(id, k -> new HashMap<>()).putIfAbsent(version,
                        new Step(Histories.recorded(type, doc), EventDocuments.position(source), null));
            } catch (RuntimeException e) {
                // Left missing: after the wait its aggregate's events are dead-lettered with the version named.
                log.warn("stored event {} v{} cannot be folded: {}", id, version, e.toString());
            }
        }

        private Map<String, Found<S>> read(List<String> ids, BooleanSupplier abort) {
            Map<String, Found<S>> found = new HashMap<>();
            for (GetResult<Map<String, Object>> r : mget(m -> m.index(target).ids(ids), MAP, abort,
                    ids.size() + " " + model + " documents")) {
                found.put(r.id(), new Found<>(readModel.fromDocument(r.source()), EventDocuments.position(r.source()),
                        r.index()));
            }
            return found;
        }
    }

    private static long versionOf(Write w) {
        return w.op().index().version();
    }

    /** Events by aggregate type, id and version range: for events indexed under ids of the old rule. */
    private List<Map<String, Object>> searchEvents(String aggregateType, Map<String, SortedSet<Long>> missing,
            BooleanSupplier abort) {
        List<Query> should = new ArrayList<>();
        int wanted = 0;
        for (var entry : missing.entrySet()) {
            long lo = entry.getValue().first();
            long hi = entry.getValue().last();
            wanted += entry.getValue().size();
            should.add(Query.of(q -> q.bool(b -> b
                    .filter(f -> f.term(t -> t.field("aggregateId").value(entry.getKey())))
                    .filter(f -> f.range(r -> r.number(x -> x.field("version").gte((double) lo).lte((double) hi)))))));
        }
        int size = Math.min(MAX_GAP_SEARCH, wanted * 2);
        Optional<String> routing = EventRouting.forSearch(missing.keySet());
        for (int attempt = 0; ; attempt++) {
            if (attempt > 0) {
                pause(attempt, abort);
            }
            acquire(abort);
            try {
                SearchResponse<Map<String, Object>> response;
                try {
                    response = client.search(s -> {
                        s.index(targets.eventStore()).ignoreUnavailable(true)
                                .allowNoIndices(true).size(size).trackTotalHits(t -> t.enabled(false))
                                .query(q -> q.bool(b -> b.filter(f -> f.term(t -> t.field("aggregateType")
                                        .value(aggregateType))).should(should).minimumShouldMatch("1")))
                                .sort(o -> o.field(f -> f.field("version").order(SortOrder.Asc)));
                        routing.ifPresent(s::routing);
                        return s;
                    }, MAP);
                } finally {
                    requests.release();
                }
                List<Map<String, Object>> out = new ArrayList<>();
                response.hits().hits().forEach(h -> out.add(h.source()));
                return out;
            } catch (Exception e) {
                handleRequestFailure("search of missing events", attempt, e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static final Class<Map<String, Object>> MAP = (Class<Map<String, Object>>) (Class<?>) Map.class;

    /** Found documents of a multi-get of event documents (realtime), retrying failures. */
    private List<GetResult<Map<String, Object>>> mget(List<MultiGetOperation> docs, BooleanSupplier abort,
            String what) {
        return mget(m -> m.docs(docs), MAP, abort, docs.size() + " " + what);
    }

    /**
     * Found documents of a multi-get (realtime), retrying transient failures of the request and of
     * single documents; a document whose index does not exist counts as not found.
     */
    private <T> List<GetResult<T>> mget(Function<MgetRequest.Builder, ObjectBuilder<MgetRequest>> request,
            Class<T> type, BooleanSupplier abort, String what) {
        for (int attempt = 0; ; attempt++) {
            if (attempt > 0) {
                pause(attempt, abort);
            }
            acquire(abort);
            try {
                MgetResponse<T> response;
                try {
                    response = client.mget(m -> request.apply(m.realtime(true)), type);
                } finally {
                    requests.release();
                }
                List<GetResult<T>> found = new ArrayList<>();
                boolean failed = false;
                for (MultiGetResponseItem<T> doc : response.docs()) {
                    if (doc.isResult() && doc.result().found()) {
                        found.add(doc.result());
                    } else if (doc.isFailure() && !"index_not_found_exception".equals(doc.failure().error().type())) {
                        log.warn("reading {} (one of {}) failed (attempt {}): {}", doc.failure().id(), what, attempt + 1,
                                doc.failure().error().reason());
                        metrics.retry("5xx");
                        failed = true;
                    }
                }
                if (!failed) {
                    metrics.elasticsearchFault(null);
                    return found;
                }
                metrics.elasticsearchFault("reading " + what + " failed");
            } catch (Exception e) {
                handleRequestFailure("read of " + what, attempt, e);
            }
        }
    }

    /** Sends the writes, retrying transient item and request failures; one outcome per write, in order. */
    private List<Outcome> bulk(List<Write> writes, BooleanSupplier abort) {
        Outcome[] outcomes = new Outcome[writes.size()];
        List<Integer> pending = new ArrayList<>(writes.size());
        for (int i = 0; i < writes.size(); i++) {
            pending.add(i);
        }
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt > 0) {
                pause(attempt, abort);
            }
            List<BulkOperation> ops = new ArrayList<>(pending.size());
            pending.forEach(i -> ops.add(writes.get(i).op()));
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
            List<Integer> retry = new ArrayList<>();
            for (int k = 0; k < response.items().size(); k++) {
                int i = pending.get(k);
                BulkResponseItem result = response.items().get(k);
                int status = result.status();
                if (result.error() == null) {
                    outcomes[i] = new Outcome.Done();
                } else if (status == 409) {
                    outcomes[i] = new Outcome.Conflict(result.index());
                } else if (ElasticsearchErrors.isTransientStatus(status)) {
                    metrics.retry(status == 429 ? "429" : "5xx");
                    retry.add(i);
                } else {
                    outcomes[i] = new Outcome.Refused("elasticsearch refused " + result.index() + "/" + result.id()
                            + " with " + status + ": " + result.error().type() + ": " + result.error().reason());
                }
            }
            if (!retry.isEmpty()) {
                log.warn("{} of {} bulk items failed transiently (attempt {}), retrying them", retry.size(), ops.size(),
                        attempt + 1);
                metrics.elasticsearchFault(retry.size() + " of " + ops.size()
                        + " bulk items failed transiently (429 or 5xx), retrying");
            } else {
                metrics.elasticsearchFault(null);
            }
            pending = retry;
        }
        return List.of(outcomes);
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
        metrics.elasticsearchFault(what + " failed: " + e);
        if (attempt == 0 || attempt % 10 == 0) {
            log.warn("{} failed transiently (attempt {}), retrying with backoff: {}", what, attempt + 1, e.toString());
        }
    }

    private void pause(int attempt, BooleanSupplier abort) {
        long until = System.nanoTime() + backoff.backoff(attempt - 1) * 1_000_000;
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
