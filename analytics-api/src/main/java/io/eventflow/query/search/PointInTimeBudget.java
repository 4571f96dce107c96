package io.eventflow.query.search;

import io.eventflow.query.auth.Tenant;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How many points in time each tenant holds open on this instance. A point in time costs
 * Elasticsearch memory and blocks merged segments from being freed until it is closed or expires,
 * so one API key must not be able to open them without bound, however many walks it starts. An
 * entry lives until its walk's last page closes it or its keep-alive passes. Thread-safe.
 */
final class PointInTimeBudget {
    private final int maxPerTenant;
    private final Duration keepAlive;
    private final Clock clock;
    private final Map<Tenant, Map<String, Instant>> open = new HashMap<>();

    PointInTimeBudget(int maxPerTenant, Duration keepAlive, Clock clock) {
        if (maxPerTenant < 1) {
            throw new IllegalArgumentException("maxPerTenant must be at least 1");
        }
        this.maxPerTenant = maxPerTenant;
        this.keepAlive = Objects.requireNonNull(keepAlive, "keepAlive");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Whether {@code tenant} may open one more; it must then call {@link #opened} or give up. */
    synchronized boolean mayOpen(Tenant tenant) {
        Map<String, Instant> mine = open.get(tenant);
        if (mine == null) {
            return true;
        }
        Instant now = clock.instant();
        mine.values().removeIf(expiry -> !expiry.isAfter(now));
        return mine.size() < maxPerTenant;
    }

    /** {@code pit} was opened or used by {@code tenant}: it lives one more keep-alive. */
    synchronized void used(Tenant tenant, String pit) {
        open.computeIfAbsent(tenant, t -> new HashMap<>()).put(pit, clock.instant().plus(keepAlive));
    }

    synchronized void closed(Tenant tenant, String pit) {
        Map<String, Instant> mine = open.get(tenant);
        if (mine != null) {
            mine.remove(pit);
            if (mine.isEmpty()) {
                open.remove(tenant);
            }
        }
    }

    /** Seconds until a slot may free up: a keep-alive at most. */
    long retryAfterSeconds() {
        return keepAlive.toSeconds();
    }
}
