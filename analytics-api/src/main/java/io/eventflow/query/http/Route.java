package io.eventflow.query.http;

import java.util.Set;

/**
 * A GET route: its path (Javalin syntax), the query parameters it accepts, and whether it needs an
 * API key. The OpenAPI document lists exactly the registered routes (a test checks it).
 */
public record Route(String path, Set<String> parameters, boolean authenticated) {
    public Route {
        parameters = Set.copyOf(parameters);
    }
}
