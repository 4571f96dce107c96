package io.eventflow.query.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opaque cursors: base64url JSON of the query's own filters, the point-in-time id (null until
 * the second page opens one) and the last hit's sort values. A cursor never carries the tenant: the organization filter is rebuilt from the
 * API key on every page, so editing a cursor cannot widen what a key sees.
 */
public final class Cursors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Cursors() {
    }

    /** @param filters the query's filters by parameter name; null values are kept */
    public static String encode(Map<String, Object> filters, Cursor cursor) {
        Map<String, Object> body = new LinkedHashMap<>(filters);
        body.put("pit", cursor.pointInTime());
        body.put("after", cursor.after());
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(body));
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode a cursor", e);
        }
    }

    /** @throws BadParameterException naming {@code cursor} when it is not one of ours */
    @SuppressWarnings("unchecked")
    static Map<String, Object> decode(String value) {
        try {
            Map<String, Object> body = JSON.readValue(Base64.getUrlDecoder().decode(value.getBytes(StandardCharsets.US_ASCII)), Map.class);
            Object pit = body.get("pit");
            if ((pit != null && !(pit instanceof String)) || !(body.get("after") instanceof List<?>)) {
                throw new IllegalArgumentException("not a cursor");
            }
            return body;
        } catch (Exception e) {
            throw new BadParameterException("cursor", "cursor is not a value this API returned as 'next'");
        }
    }

    /**
     * The request's {@code cursor}, decoded. With a cursor the query's filters come from it: only
     * {@code cursor} and {@code size} may be given besides, so any of {@code filterNames} present
     * is a 400 naming it (the first in that order).
     */
    public static Decoded fromRequest(QueryParameters p, List<String> filterNames) {
        for (String name : filterNames) {
            if (p.has(name)) {
                throw new BadParameterException(name, "a cursor carries the query's filters; pass only cursor and size",
                        List.of("cursor", "size"));
            }
        }
        return new Decoded(decode(p.cursor("cursor")));
    }

    /** A decoded cursor's filters and position; every value is checked as it is read. */
    public static final class Decoded {
        private final Map<String, Object> body;

        private Decoded(Map<String, Object> body) {
            this.body = body;
        }

        /** A filter's value, or null. */
        public String string(String name) {
            Object v = body.get(name);
            return v == null ? null : v.toString();
        }

        /** An id a cursor carries: a cursor is client input too, so it meets the same rules. */
        public String id(String name) {
            String v = string(name);
            return v == null ? null : QueryParameters.checkId("cursor", name, v);
        }

        public Instant instant(String name) {
            String v = string(name);
            try {
                return v == null ? null : Instant.parse(v);
            } catch (RuntimeException e) {
                throw new BadParameterException("cursor", "cursor is not a value this API returned as 'next'");
            }
        }

        @SuppressWarnings("unchecked")
        public Cursor cursor() {
            return new Cursor((String) body.get("pit"), new ArrayList<>((List<Object>) body.get("after")));
        }
    }
}
