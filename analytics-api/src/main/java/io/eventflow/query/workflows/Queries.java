package io.eventflow.query.workflows;

import io.eventflow.query.http.Cursor;
import io.eventflow.query.http.Page;
import io.eventflow.query.http.Query;
import java.time.Instant;

/** The workflow queries as normalized records (see {@link Query}). */
final class Queries {
    private Queries() {
    }

    record WorkflowById(String workflowId) implements Query<Object> {
    }

    /** Newest started first; null filters are not applied; {@code from}/{@code to} bound {@code startedAt}. */
    record WorkflowSearch(String status, String userId, String name, String organizationId, Instant from, Instant to,
            int size, Cursor cursor) implements Query<Page> {
    }

    /** Over the workflows started in {@code from..to} (either null for no bound). */
    record WorkflowStats(Instant from, Instant to, String organizationId) implements Query<Object> {
    }
}
