package io.eventflow.query.http;

/**
 * One capability's queries and the GET routes that ask them: one implementation per query package
 * (events, payments, one per aggregate type). {@code AnalyticsApi} lists the implementations and
 * calls each once, before the server starts; adding a package means adding it to that list.
 */
public interface QueryRoutes {
    /**
     * Registers this package's query handlers on {@code bus} and its routes on {@code router}.
     * A query type or a path registered twice fails.
     */
    void register(QueryBus bus, Router router);
}
