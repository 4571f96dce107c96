package io.eventflow.query.http;

/**
 * A query as a normalized record: parameters parsed, defaults applied. A record is its own cache
 * key (with the tenant), so two requests that mean the same share one answer.
 *
 * @param <R> the answer's type
 */
public interface Query<R> {
}
