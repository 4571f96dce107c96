/**
 * Internal: not an API. The workflow queries (by id, search, stats) and their routes, plugged into
 * the HTTP layer by {@link io.eventflow.query.workflows.WorkflowRoutes}. A workflow's history and
 * {@code asOf} state come through the generic {@code /aggregates/{aggregateId}/events}.
 */
package io.eventflow.query.workflows;
