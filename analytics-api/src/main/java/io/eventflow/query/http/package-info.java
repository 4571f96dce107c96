/**
 * Internal: not an API. The analytics API's HTTP layer: routing ({@link io.eventflow.query.http.Router}),
 * authentication of each request, query parameters, cursors, the query bus and RFC 9457 problems.
 * Query packages plug in through {@link io.eventflow.query.http.QueryRoutes}; types are public only
 * for them and for the service's wiring in {@code io.eventflow.query}.
 */
package io.eventflow.query.http;
