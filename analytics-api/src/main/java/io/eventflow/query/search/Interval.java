package io.eventflow.query.search;

import io.eventflow.query.http.BadParameterException;
import io.eventflow.query.http.QueryParameters;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** A trend's bucket size: a calendar interval of Elasticsearch's date histograms. */
public enum Interval {
    HOUR(3_600L), DAY(86_400L), WEEK(7 * 86_400L), MONTH(28 * 86_400L);

    /** Elasticsearch's default limit on buckets per search. */
    private static final long MAX_BUCKETS = 10_000;

    private final long shortestSeconds;

    Interval(long shortestSeconds) {
        this.shortestSeconds = shortestSeconds;
    }

    /** The request's required {@code interval}, checked against from..to (either may be null). */
    public static Interval of(QueryParameters p, Instant from, Instant to) {
        Interval interval = p.oneOf("interval", Interval.class, null);
        if (from != null && to != null && Duration.between(from, to).getSeconds() / interval.shortestSeconds > MAX_BUCKETS) {
            throw new BadParameterException("interval", "from..to holds more than 10,000 " + interval.label()
                    + " buckets; use a coarser interval or a shorter range", List.of("hour", "day", "week", "month"));
        }
        return interval;
    }

    /** The name in requests, answers and Elasticsearch's {@code calendar_interval}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
