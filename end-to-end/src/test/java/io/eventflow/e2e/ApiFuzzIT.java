package io.eventflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.eventstore.EventDocument;
import io.eventflow.query.AnalyticsApi;
import io.eventflow.query.AnalyticsApiConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests as a hostile or broken client writes them, byte for byte (so malformed escapes, raw
 * bytes and odd headers reach the server): query strings, cursors (altered, truncated, replayed on
 * another route or by another tenant, and signed ones whose point in time is not one Elasticsearch
 * knows) and headers. None may answer 5xx, and every 4xx is a problem document.
 */
class ApiFuzzIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "fuzz-admin-key-1";
    private static final String ORG_A = "fuzz-org-a-key-1";
    private static final String SECRET = "fuzz-cursor-secret-0123456789";
    private static SeededApi seeded;
    private static AnalyticsApi api;

    @BeforeAll
    static void start() throws Exception {
        seeded = new SeededApi();
        Instant t0 = Instant.parse("2026-03-10T08:00:00Z");
        for (int i = 0; i < 30; i++) {
            String org = i % 2 == 0 ? "org-a" : "org-b";
            seeded.event(new EventDocument(UUID.nameUUIDFromBytes(("f" + i).getBytes()).toString(), "pay-" + i,
                    "Payment", "PaymentProcessed", 1, t0.plusSeconds(60L * i), "corr-" + i, "cmd-" + i,
                    Map.of("paymentId", "pay-" + i, "amount", 100 + i, "currency", "EUR", "organizationId", org,
                            "userId", "u-1"), Map.of("organizationId", org, "userId", "u-1")));
        }
        api = seeded.start(ADMIN + ":*," + ORG_A + ":org-a", Map.of(AnalyticsApiConfig.CURSOR_SECRETS, SECRET,
                AnalyticsApiConfig.CORS_ALLOWED_ORIGINS, "https://dash.example.com"));
    }

    @AfterAll
    static void stop() {
        if (seeded != null) {
            seeded.close();
        }
    }

    record Raw(String method, String target, int status, String head, String body) {
        /** The answer's headers, as java.net.http would give them. */
        HttpHeaders headers() {
            Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !line.startsWith("HTTP/")) {
                    map.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>())
                            .add(line.substring(colon + 1).trim());
                }
            }
            return HttpHeaders.of(map, (k, v) -> true);
        }
    }

    /** One request written byte for byte; the status line, headers and body as they came back. */
    private static Raw send(String method, String target, List<String> headers) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(30_000);
            StringBuilder req = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            headers.forEach(h -> req.append(h).append("\r\n"));
            req.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = response.indexOf("\r\n\r\n");
            String head = split < 0 ? response : response.substring(0, split);
            String body = split < 0 ? "" : response.substring(split + 4);
            int status = Integer.parseInt(head.substring(9, 12));
            return new Raw(method, target, status, head, body);
        }
    }

    private static void assertNoServerError(Raw r, String what, Map<Integer, Integer> statuses) {
        statuses.merge(r.status(), 1, Integer::sum);
        assertThat(r.status()).as("%s -> %s %s", what, r.head(), r.body()).isLessThan(500);
        // An answer on a documented route matches the OpenAPI document, errors included.
        URI uri;
        try {
            uri = URI.create("http://127.0.0.1" + r.target());
        } catch (IllegalArgumentException notAUri) {
            uri = null;
        }
        // 414 and 431 come from the HTTP server before any route (a request line or headers beyond its
        // limits), and 405 from a method no route has: no operation of the document answers those.
        if (uri != null && r.status() != 405 && r.status() != 414 && r.status() != 431 && !r.method().equals("OPTIONS")
                && OpenApiContract.get().documents(r.method(), uri.getRawPath())) {
            OpenApiContract.get().check(r.method(), uri, r.status(), r.headers(), r.body());
        }
        if (r.status() >= 400) {
            assertThat(r.head().toLowerCase()).as("%s -> %s", what, r.head()).contains("content-type: application/problem+json");
            assertThat(r.body()).as(what).doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    private static String nextOf(String target, String key) throws Exception {
        Raw r = send("GET", target, List.of("X-API-Key: " + key));
        assertThat(r.status()).as(target + " " + r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body().contains("{") ? r.body().substring(r.body().indexOf('{')) : "{}");
        return body.path("next").asText();
    }

    private static final String[] PATHS = {"/events", "/events/stats", "/events/trends", "/payments", "/payments/stats",
            "/payments/trends", "/payments/pay-1", "/aggregates/pay-1/events", "/workflows", "/workflows/stats",
            "/workflows/w-1", "/payments/%", "/payments/%zz", "/aggregates/%C3%28/events", "/events/%2e%2e/payments",
            "/payments/a%00b", "/", "/events?", "/events#frag"};
    private static final String[] NAMES = {"q", "from", "to", "size", "cursor", "interval", "timeZone", "status",
            "currency", "asOf", "minVersion", "aggregateType", "eventType", "organizationId", "userId", "name", "%",
            "%zz", "q%", "", "=", "a[b]", "%C0%AF", "%F0%9F%92%A9"};
    private static final String[] VALUES = {"", "%", "%%", "%2", "%zz", "abc%", "%25", "%00", "%0A", "%C3%28", "%ED%A0%80",
            "%F4%90%80%80", "%F0%9F%92%A9", "+", "++", "%2B10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z", "0000-01-01", "+999999999-12-31T23:59:59Z", "2026-02-30", "1", "0", "-1",
            "9223372036854775807", "9223372036854775808", "1e3", "day", "HOUR", "Europe/Paris", "+25:00", "GMT+99",
            "EUR", "processed", "\"", "'", "\\", "%5C", "*", "?", "(", ")", "~", "a%20AND%20(", "%7B%22%24ne%22%3A1%7D",
            "x".repeat(5_000)};

    @Test
    void randomQueryStringsSentByteForByteGetNo5xx() throws Exception {
        Random random = new Random(20261201);
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int sent = 0; sent < 3_000; sent++) {
            StringBuilder target = new StringBuilder(PATHS[random.nextInt(PATHS.length)]);
            int n = random.nextInt(5);
            for (int k = 0; k < n; k++) {
                target.append(target.indexOf("?") < 0 ? '?' : '&').append(NAMES[random.nextInt(NAMES.length)]);
                if (random.nextInt(8) > 0) {
                    target.append('=').append(VALUES[random.nextInt(VALUES.length)]);
                }
            }
            String key = random.nextInt(4) == 0 ? ORG_A : ADMIN;
            assertNoServerError(send("GET", target.toString(), List.of("X-API-Key: " + key)), target.toString(), statuses);
        }
        assertThat(statuses.keySet()).contains(200, 400, 404);
        System.out.println("query-string fuzz statuses: " + statuses);
    }

    @Test
    void alteredReplayedAndForgedCursorsGetA4xx() throws Exception {
        String events = nextOf("/events?size=2", ADMIN);
        String second = nextOf("/events?size=2&cursor=" + events, ADMIN); // carries a point in time now
        String tenant = nextOf("/events?size=2", ORG_A);
        List<String> cursors = new ArrayList<>(List.of(events, second, tenant));
        Random random = new Random(7);
        Map<Integer, Integer> statuses = new TreeMap<>();
        // Signed with the API's own secret, so the signature holds: what Elasticsearch says of a point
        // in time it does not know must still be a 4xx, not an outage. The cursor is made here from
        // its documented format, base64url(JSON).base64url(HMAC-SHA256), the MAC over "*\n" (an
        // admin key's tenant) and the JSON's base64url.
        Map<String, Object> filters = new LinkedHashMap<>();
        for (String f : List.of("aggregateType", "eventType", "q", "from", "to", "organizationId", "userId")) {
            filters.put(f, null);
        }
        String validPit = JSON.readTree(Base64.getUrlDecoder().decode(second.substring(0, second.indexOf('.'))))
                .path("pit").asText();
        for (String pit : List.of("garbage", "", "%%%", validPit.substring(0, validPit.length() / 2),
                validPit.replace('A', 'B'), Base64.getUrlEncoder().encodeToString("not a pit".getBytes()))) {
            String forged = forge(filters, pit);
            Raw r = send("GET", "/events?size=2&cursor=" + forged, List.of("X-API-Key: " + ADMIN));
            assertNoServerError(r, "pit " + pit, statuses);
            assertThat(r.status()).as("pit %s -> %s", pit, r.body()).isEqualTo(400);
        }
        for (int i = 0; i < 600; i++) {
            String c = cursors.get(random.nextInt(cursors.size()));
            char[] chars = c.toCharArray();
            String mutated = switch (random.nextInt(6)) {
                case 0 -> {
                    int at = random.nextInt(chars.length);
                    chars[at] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.%".charAt(random.nextInt(66));
                    yield new String(chars);
                }
                case 1 -> c.substring(0, random.nextInt(c.length()));
                case 2 -> c + c;
                case 3 -> c.substring(c.indexOf('.') + 1) + "." + c.substring(0, c.indexOf('.'));
                case 4 -> c.replace('.', '%');
                default -> c;
            };
            String route = random.nextBoolean() ? "/events" : random.nextBoolean() ? "/payments" : "/workflows";
            String key = random.nextBoolean() ? ADMIN : ORG_A;
            String target = route + "?cursor=" + mutated + (random.nextBoolean() ? "&size=1" : "");
            Raw r = send("GET", target, List.of("X-API-Key: " + key));
            assertNoServerError(r, target + " as " + key, statuses);
            boolean untouched = mutated.equals(c) && route.equals("/events")
                    && (c.equals(tenant) == key.equals(ORG_A));
            if (!untouched) {
                assertThat(r.status()).as("%s as %s -> %s", target, key, r.body()).isIn(400, 404);
            }
        }
        System.out.println("cursor fuzz statuses: " + statuses);
    }

    /** A cursor for /events and an admin key, signed with the API's secret. */
    private static String forge(Map<String, Object> filters, String pit) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>(filters);
        body.put("pit", pit);
        body.put("after", List.of(1L, "x"));
        body.put("route", "/events");
        body.put("exp", Instant.now().plusSeconds(300).getEpochSecond());
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(body));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update("*\n".getBytes(StandardCharsets.UTF_8));
        byte[] signature = mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
        return payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    }

    @Test
    void oddHeadersGetNo5xx() throws Exception {
        List<List<String>> headerSets = List.of(
                List.of(), List.of("X-API-Key: "), List.of("X-API-Key: " + ADMIN + " "), List.of("X-API-Key:" + ADMIN),
                List.of("x-api-key: " + ADMIN.toUpperCase()), List.of("X-API-Key: " + ADMIN, "X-API-Key: " + ORG_A),
                List.of("X-API-Key: \u00e9\u00e8-caf\u00e9-key"), List.of("X-API-Key: " + "k".repeat(7_000)),
                List.of("X-API-Key: " + "k".repeat(70_000)), List.of("Authorization: Bearer " + ADMIN),
                List.of("Authorization: bearer " + ADMIN), List.of("Authorization: Bearer"), List.of("Authorization: Bearer "),
                List.of("Authorization: Basic Zm9vOmJhcg=="), List.of("Authorization: " + ADMIN),
                List.of("X-API-Key: " + ADMIN, "Origin: https://dash.example.com"),
                List.of("X-API-Key: " + ADMIN, "Origin: null"), List.of("X-API-Key: " + ADMIN, "Origin: %%%"),
                List.of("X-API-Key: " + ADMIN, "Accept: application/xml"), List.of("X-API-Key: " + ADMIN, "Accept: */*;q=x"),
                List.of("X-API-Key: " + ADMIN, "Content-Type: application/json", "Content-Length: 0"),
                List.of("X-API-Key: " + ADMIN, "If-None-Match: *"), List.of("X-API-Key: " + ADMIN, "Range: bytes=0-1"),
                List.of("X-API-Key: " + ADMIN, "Accept-Encoding: gzip;q=2, br, zstd"));
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (List<String> headers : headerSets) {
            for (String method : List.of("GET", "HEAD", "OPTIONS", "POST", "DELETE", "TRACE", "BREW")) {
                for (String target : List.of("/events?size=1", "/payments/stats", "/health", "/nope")) {
                    List<String> all = new ArrayList<>(headers);
                    Raw r;
                    try {
                        r = send(method, target, all);
                    } catch (java.net.SocketException e) {
                        continue; // the server may drop a request it cannot parse at all: not an answer
                    }
                    if (method.equals("HEAD")) {
                        statuses.merge(r.status(), 1, Integer::sum);
                        assertThat(r.status()).as(method + " " + target + " " + headers).isLessThan(500);
                        continue;
                    }
                    assertNoServerError(r, method + " " + target + " " + headers, statuses);
                }
            }
        }
        assertThat(statuses.keySet()).contains(200, 401, 405);
        System.out.println("header fuzz statuses: " + statuses);
    }
}
