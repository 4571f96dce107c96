/**
 * Internal: not an API. What the query packages share to ask Elasticsearch: raw JSON searches,
 * the tenant's organization filter, and cursor pages. Public only for the query packages of this
 * service.
 */
package io.eventflow.query.search;
