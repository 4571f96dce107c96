package io.eventflow.eventstore;

import java.util.Objects;

/**
 * A service's health as its {@code /health} endpoints report it. <em>Live</em>: the process still
 * does its main work or is retrying towards it, so a supervisor must not restart it; a service
 * that is not live also exits non-zero on its own. <em>Ready</em>: it does that work now (its
 * dependencies answer, its partitions are assigned, its indices take its documents). {@code reason}
 * says why not, in words an operator can act on; it is null when live and ready. Immutable.
 */
public record Health(boolean live, boolean ready, String reason) {
    /** Live and ready. */
    public static final Health UP = new Health(true, true, null);

    public Health {
        if (ready && !live) {
            throw new IllegalArgumentException("a service that is not live cannot be ready");
        }
        if (!ready) {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Live, but not doing its work now; {@code reason} (not null) says why. */
    public static Health notReady(String reason) {
        return new Health(true, false, reason);
    }

    /** Neither live nor ready: the main work died; {@code reason} (not null) says why. */
    public static Health dead(String reason) {
        return new Health(false, false, reason);
    }

    /** "UP", "NOT_READY" or "DOWN". */
    public String status() {
        return ready ? "UP" : live ? "NOT_READY" : "DOWN";
    }

    /** The first of the two that is not up, else this: combines a service's checks. */
    public Health and(Health other) {
        Objects.requireNonNull(other, "other");
        if (!live) {
            return this;
        }
        if (!other.live) {
            return other;
        }
        if (!ready) {
            return this;
        }
        return other;
    }
}
