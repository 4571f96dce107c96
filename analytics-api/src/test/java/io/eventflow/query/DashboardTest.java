package io.eventflow.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's files load without a key, every file the page refers to is served (so a new
 * charting library version in the pom without the same in the page fails here, not in a browser),
 * and opening them opened nothing else. The browser test is end-to-end's DashboardIT.
 */
class DashboardTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern HTML_REFERENCE = Pattern.compile("(?:src|href)=\"(/[^\"]*)\"");
    private static final Pattern JS_IMPORT = Pattern.compile("(?m)^import .* from '([^']+)';");

    private static AnalyticsApi api;

    @BeforeAll
    static void start() {
        // Elasticsearch is never asked: static files and a refused key do not need it.
        api = AnalyticsApi.start(new AnalyticsApiConfig(Map.of(AnalyticsApiConfig.HTTP_HOST, "127.0.0.1",
                AnalyticsApiConfig.HTTP_PORT, "0", AnalyticsApiConfig.ELASTICSEARCH_URL, "http://127.0.0.1:1",
                AnalyticsApiConfig.API_KEYS, "admin-key-1234:*")));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePageAndEveryFileItLoadsAreServedWithoutAKey() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("script-src 'self'").contains("connect-src 'self'");

        Set<String> loaded = new LinkedHashSet<>();
        Deque<String> toLoad = new ArrayDeque<>();
        references(HTML_REFERENCE, page.body(), "/").forEach(toLoad::add);
        while (!toLoad.isEmpty()) {
            String path = toLoad.pop();
            if (!loaded.add(path)) {
                continue;
            }
            HttpResponse<String> file = get(path);
            assertThat(file.statusCode()).as(path).isEqualTo(200);
            if (path.endsWith(".js")) {
                // Browsers refuse a module served as anything but JavaScript.
                assertThat(file.headers().firstValue("Content-Type").orElse("")).as(path).contains("javascript");
                if (path.startsWith("/assets/")) {
                    references(JS_IMPORT, file.body(), path.substring(0, path.lastIndexOf('/') + 1))
                            .forEach(toLoad::add);
                }
            }
        }
        assertThat(loaded).contains("/assets/dashboard.js", "/assets/api.js", "/assets/charts.js",
                "/assets/dashboard.css").anyMatch(p -> p.startsWith("/webjars/echarts/") && p.endsWith(".js"));
    }

    private static Set<String> references(Pattern pattern, String text, String base) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            String ref = m.group(1);
            out.add(ref.startsWith("./") ? base + ref.substring(2) : ref);
        }
        return out;
    }

    @Test
    void dataRoutesStillNeedAKeyAndAssetPathsOpenNothingElse() throws Exception {
        for (String path : new String[] {"/events", "/payments/stats", "/index.htm", "/assets/../events",
                "/webjars/../payments", "/assets/%2e%2e/events", "/assets//events"}) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isIn(400, 401, 404);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(path).startsWith("application/problem+json");
        }
        assertThat(get("/assets/no-such-file.js").statusCode()).isEqualTo(404);
        assertThat(get("/webjars/no-such/1.0/x.js").statusCode()).isEqualTo(404);
    }

    @Test
    void theDashboardIsNotAnApiRoute() {
        assertThat(api.routes()).noneMatch(r -> r.path().equals("/") || r.path().startsWith("/assets")
                || r.path().startsWith("/webjars"));
    }
}
