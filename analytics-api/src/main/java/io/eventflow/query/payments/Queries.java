package io.eventflow.query.payments;

import io.eventflow.query.http.Cursor;
import io.eventflow.query.http.Page;
import io.eventflow.query.http.Query;
import java.time.Instant;

/** The payment queries as normalized records (see {@link Query}). */
final class Queries {
    private Queries() {
    }

    record PaymentById(String paymentId) implements Query<Object> {
    }

    record PaymentSearch(String status, String organizationId, String currency, Instant from, Instant to, int size,
            Cursor cursor) implements Query<Page> {
    }

    record PaymentStats(Instant from, Instant to, String organizationId, String currency) implements Query<Object> {
    }
}
