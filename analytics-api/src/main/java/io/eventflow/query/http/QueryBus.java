package io.eventflow.query.http;

import io.eventflow.query.auth.Tenant;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps each query type to one handler {@code (tenant, query) -> answer}, with a bounded in-process
 * cache in front. The cache key is the tenant plus the normalized query record, so one tenant never
 * gets another's answer. Only answers are cached, never a "not found", so a document that appears
 * is seen on the next request. Hit and miss counts are in the metrics as {@code cache.gets{cache=queries}}.
 * Registering a second handler for a type fails. Thread-safe once built.
 */
public final class QueryBus {
    /** A handler; IOException is Elasticsearch's, classified by the API's error handler. */
    @FunctionalInterface
    public interface Handler<Q> {
        Object handle(Tenant tenant, Q query) throws IOException;
    }

    private record Key(Tenant tenant, Object query) {
    }

    private final Map<Class<?>, Handler<Object>> handlers = new HashMap<>();
    private final Cache<Key, Optional<Object>> cache;

    /** A ttl of zero or maxEntries of 0 turns the cache off. */
    public QueryBus(Duration ttl, long maxEntries, MeterRegistry metrics) {
        if (ttl.isZero() || maxEntries == 0) {
            this.cache = null;
        } else {
            this.cache = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maxEntries).recordStats().build();
            CaffeineCacheMetrics.monitor(metrics, cache, "queries");
        }
    }

    @SuppressWarnings("unchecked")
    /** A handler that returns null or an empty Optional answers 404. */
    public <Q> QueryBus register(Class<Q> type, Handler<Q> handler) {
        Objects.requireNonNull(handler, "handler");
        if (handlers.putIfAbsent(type, (Handler<Object>) handler) != null) {
            throw new IllegalStateException("a handler for " + type.getName() + " is already registered");
        }
        return this;
    }

    /** The answer, or empty when the handler found nothing (a 404). */
    Optional<Object> ask(Tenant tenant, Object query) {
        Handler<Object> handler = handlers.get(query.getClass());
        if (handler == null) {
            throw new IllegalStateException("no handler for " + query.getClass().getName());
        }
        if (cache == null) {
            return run(handler, tenant, query);
        }
        Key key = new Key(tenant, query);
        Optional<Object> cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        Optional<Object> answer = run(handler, tenant, query);
        // Only what was found is kept: a cached "not found" hid a client's own write for the whole
        // ttl after Elasticsearch already showed it (asked once before it was indexed).
        if (answer.isPresent()) {
            cache.put(key, answer);
        }
        return answer;
    }

    /**
     * The handler's answer, never the cache's; a found answer replaces the cached one, so later
     * cached reads are not older than this one.
     */
    Optional<Object> askFresh(Tenant tenant, Object query) {
        Handler<Object> handler = handlers.get(query.getClass());
        if (handler == null) {
            throw new IllegalStateException("no handler for " + query.getClass().getName());
        }
        Optional<Object> answer = run(handler, tenant, query);
        if (cache != null && answer.isPresent()) {
            cache.put(new Key(tenant, query), answer);
        }
        return answer;
    }

    private static Optional<Object> run(Handler<Object> handler, Tenant tenant, Object query) {
        try {
            Object answer = handler.handle(tenant, query);
            return answer instanceof Optional<?> o ? Optional.ofNullable(o.orElse(null)) : Optional.ofNullable(answer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
