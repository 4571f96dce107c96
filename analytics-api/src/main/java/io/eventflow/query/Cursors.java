package io.eventflow.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opaque cursors: base64url JSON of the query's own filters, the point-in-time id (null until
 * the second page opens one) and the last hit's sort values. A cursor never carries the tenant: the organization filter is rebuilt from the
 * API key on every page, so editing a cursor cannot widen what a key sees.
 */
final class Cursors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Cursors() {
    }

    static String encode(Map<String, Object> filters, Queries.Cursor cursor) {
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
}
