package io.eventflow.query.payments;

import io.eventflow.query.http.Cursor;
import io.eventflow.query.http.Page;
import io.eventflow.query.http.Query;
import io.eventflow.query.search.Interval;
import java.time.Instant;
import java.time.ZoneId;

/** The payment queries as normalized records (see {@link Query}). */
final class Queries {
    private Queries() {
    }

    record PaymentById(String paymentId) implements Query<Object> {
    }

    record PaymentSearch(String status, String organizationId, String currency, Instant from, Instant to, int size,
            Cursor cursor) implements Query<Page> {
    }

    /** Money per bucket and currency; {@code currency} and {@code organizationId} filter when not null. */
    record PaymentTrends(Interval interval, ZoneId zone, Instant from, Instant to, String currency,
            String organizationId) implements Query<Object> {
    }

    record PaymentStats(Instant from, Instant to, String organizationId, String currency) implements Query<Object> {
    }
}
