package io.eventflow.query;

import java.time.Instant;
import java.time.ZoneId;

/**
 * The read side's queries as normalized records: parameters parsed, defaults applied. A record is
 * its own cache key (with the tenant), so two requests that mean the same share one answer.
 */
final class Queries {
    private Queries() {
    }

    /** A query with its answer type. */
    sealed interface Query<R> permits EventSearch, EventStats, EventTrends, PaymentById, PaymentSearch, PaymentStats,
            History {
    }

    /** Events newest first; null filters are not applied. {@code cursor} continues an earlier page. */
    record EventSearch(String aggregateType, String eventType, String text, Instant from, Instant to,
            String organizationId, String userId, int size, Cursor cursor) implements Query<Page> {
    }

    record EventStats(String eventType, Instant from, Instant to, String organizationId) implements Query<Object> {
    }

    enum Interval { HOUR, DAY, WEEK, MONTH }

    record EventTrends(String eventType, String aggregateType, Instant from, Instant to, Interval interval, ZoneId zone,
            String organizationId) implements Query<Object> {
    }

    record PaymentById(String paymentId) implements Query<Object> {
    }

    record PaymentSearch(String status, String organizationId, String currency, Instant from, Instant to, int size,
            Cursor cursor) implements Query<Page> {
    }

    record PaymentStats(Instant from, Instant to, String organizationId, String currency) implements Query<Object> {
    }

    record History(String aggregateId, Instant asOf) implements Query<Object> {
    }

    /** Where a paginated walk stands: the point in time and the last hit's sort values. */
    record Cursor(String pointInTime, java.util.List<Object> after) {
    }

    /** One page; {@code next} is null on the last page. {@code total} is exact up to 10,000. */
    record Page(long total, String totalRelation, java.util.List<?> items, String next) {
    }
}
