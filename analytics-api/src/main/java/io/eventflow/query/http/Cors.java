package io.eventflow.query.http;

import io.javalin.http.Context;
import java.util.List;
import java.util.Set;

/**
 * Cross-origin access for browsers (CORS): which web origins may call the API. A request from an
 * allowed origin gets {@code Access-Control-Allow-Origin} with that origin; a preflight
 * ({@code OPTIONS} with {@code Access-Control-Request-Method}) from one gets 204 with the methods
 * and headers the API accepts; one from any other origin gets 403. Keys travel in headers, never
 * cookies, so credentials are not allowed. Immutable, thread-safe.
 */
public final class Cors {
    private static final String ALLOWED_HEADERS = "X-API-Key, Authorization";
    private static final String EXPOSED_HEADERS = "Retry-After, WWW-Authenticate";

    private final Set<String> origins;
    private final boolean anyOrigin;

    /** @param origins allowed origins (scheme://host[:port]); "*" allows any; empty allows none */
    public Cors(List<String> origins) {
        this.anyOrigin = origins.contains("*");
        this.origins = Set.copyOf(origins);
    }

    /** Whether requests from {@code origin} may read answers. */
    boolean allows(String origin) {
        return origin != null && (anyOrigin || origins.contains(origin));
    }

    /** Marks an answer readable by the request's origin when it is allowed. */
    void decorate(Context ctx) {
        String origin = ctx.header("Origin");
        ctx.header("Vary", "Origin");
        if (allows(origin)) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        }
    }

    /** Answers an OPTIONS request on a route: a preflight, or a plain question about the methods. */
    void options(Context ctx) {
        String origin = ctx.header("Origin");
        ctx.header("Allow", Router.ALLOW);
        if (origin == null || ctx.header("Access-Control-Request-Method") == null) {
            ctx.status(204);
            return;
        }
        if (!allows(origin)) {
            throw new ProblemException(403, "Forbidden", "cross-origin requests from this origin are not allowed "
                    + "(http.cors.allowed.origins)", "Origin", null);
        }
        ctx.header("Access-Control-Allow-Methods", "GET");
        ctx.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        ctx.header("Access-Control-Max-Age", "600");
        ctx.status(204);
    }
}
