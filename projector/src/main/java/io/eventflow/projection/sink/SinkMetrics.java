package io.eventflow.projection.sink;

/**
 * What {@link ElasticsearchProjection} reports while it writes; the live projector's metrics
 * implement it, so that this package needs nothing from the consumer side. Implementations must be
 * thread-safe: bulks in flight report concurrently.
 */
public interface SinkMetrics {
    /** {@code n} events were written to the event store. */
    void indexed(int n);

    /** {@code n} writes to {@code index} changed nothing (the document was there already). */
    void noop(String index, int n);

    /** A document in {@code index} disagrees with the event it was written from. */
    void integrityError(String index);

    /** {@code n} more read-model version gaps were met (events ahead of a missing version). */
    void gaps(int n);

    /** A request is retried; {@code cause} is "429", "5xx" or "transport". */
    void retry(String cause);

    /** A bulk request took {@code nanos} nanoseconds. */
    void bulk(long nanos);

    /** The current Elasticsearch fault, or null once Elasticsearch answers again. */
    void elasticsearchFault(String fault);
}
