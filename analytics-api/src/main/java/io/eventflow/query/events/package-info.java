/**
 * Internal: not an API. The event queries (search, stats, trends, an aggregate's history) and
 * their routes, plugged into the HTTP layer by {@link io.eventflow.query.events.EventRoutes}.
 */
package io.eventflow.query.events;
