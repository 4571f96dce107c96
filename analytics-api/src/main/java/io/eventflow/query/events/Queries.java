package io.eventflow.query.events;

import io.eventflow.query.http.Cursor;
import io.eventflow.query.http.Page;
import io.eventflow.query.http.Query;
import java.time.Instant;
import io.eventflow.query.search.Interval;
import java.time.ZoneId;

/** The event queries as normalized records (see {@link Query}). */
final class Queries {
    private Queries() {
    }

    /** Events newest first; null filters are not applied. {@code cursor} continues an earlier page. */
    record EventSearch(String aggregateType, String eventType, String text, Instant from, Instant to,
            String organizationId, String userId, int size, Cursor cursor) implements Query<Page> {
    }

    record EventStats(String eventType, Instant from, Instant to, String organizationId) implements Query<Object> {
    }

    record EventTrends(String eventType, String aggregateType, Instant from, Instant to, Interval interval, ZoneId zone,
            String organizationId) implements Query<Object> {
    }

    /** @param aggregateType one of the wired types' names, or null: the type the events belong to */
    record History(String aggregateId, String aggregateType, Instant asOf) implements Query<Object> {
    }
}
