package io.eventflow.query.http;

import io.javalin.http.Context;

/** A route handler, given the request's parameters already checked against the route's. */
@FunctionalInterface
public interface RouteHandler {
    void handle(Context ctx, QueryParameters p) throws Exception;
}
