package io.eventflow.query.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.staticfiles.Location;
import java.util.Map;

/**
 * The web dashboard's static files, served from the jar: the page at {@code /}, its scripts and
 * styles under {@code /assets/}, and the charting library's WebJar under {@code /webjars/}. They
 * are not API routes (the OpenAPI document does not list them) and need no API key: the page asks
 * for one and sends it with each data request, so loading it reveals nothing.
 */
final class Dashboard {
    private static final String ASSETS = "/assets/";
    private static final String WEBJARS = "/webjars/";

    /**
     * The page renders data written by clients (event payloads, ids): this policy keeps a payload
     * that slipped past the page's escaping from running a script or sending the key elsewhere.
     * Inline styles stay allowed because the charting library positions its tooltips with them.
     */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'";

    private Dashboard() {
    }

    static void serve(JavalinConfig config) {
        config.staticFiles.add(files -> {
            files.hostedPath = "/";
            files.directory = "/dashboard";
            files.location = Location.CLASSPATH;
            files.headers = Map.of("Cache-Control", "no-cache", "Content-Security-Policy", CONTENT_SECURITY_POLICY,
                    "X-Content-Type-Options", "nosniff", "Referrer-Policy", "no-referrer");
        });
        // The build unpacks only the files the page loads into META-INF/resources/webjars.
        config.staticFiles.enableWebjars();
    }

    /** Whether {@code path} is one of the dashboard's files, which load without an API key. */
    static boolean isOpen(String path) {
        return path.equals("/") || path.equals("/index.html") || path.startsWith(ASSETS) || path.startsWith(WEBJARS);
    }
}
