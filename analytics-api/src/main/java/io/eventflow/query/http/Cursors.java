package io.eventflow.query.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventflow.query.auth.Tenant;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque, signed cursors. A cursor is {@code base64url(JSON).base64url(HMAC-SHA256)}: the JSON holds
 * the query's own filters, the point-in-time id (null until the second page opens one), the last
 * hit's sort values, the route it belongs to and its expiry; the MAC covers the JSON and the API
 * key's tenant. So a cursor is refused (400) when it was altered, made up, used on another route,
 * used by a key of another tenant, or expired; a point in time is only ever opened or read for a
 * cursor this API issued. The tenant is never written into the cursor: the organization filter is
 * rebuilt from the API key on every page.
 *
 * <p>The first secret signs; every secret verifies, so a secret is rotated by putting the new one
 * first and dropping the old one once the cursors it signed have expired. Instances that share the
 * secrets accept each other's cursors. Thread-safe.
 */
public final class Cursors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALGORITHM = "HmacSHA256";
    private static final String INVALID = "cursor is not a value this API returned as 'next' for this query and API key";

    private final List<SecretKeySpec> secrets;
    private final Duration ttl;
    private final Clock clock;

    /**
     * @param secrets at least one; the first signs, all verify (each at least 16 bytes)
     * @param ttl how long a cursor is accepted after it was issued
     */
    public Cursors(List<byte[]> secrets, Duration ttl, Clock clock) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one cursor secret is needed");
        }
        List<SecretKeySpec> keys = new ArrayList<>();
        for (byte[] s : secrets) {
            if (s.length < 16) {
                throw new IllegalArgumentException("a cursor secret must have at least 16 bytes");
            }
            keys.add(new SecretKeySpec(s.clone(), ALGORITHM));
        }
        this.secrets = List.copyOf(keys);
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The cursor that continues a walk on {@code route} for {@code tenant}.
     *
     * @param filters the query's filters by parameter name; null values are kept
     */
    public String encode(String route, Tenant tenant, Map<String, Object> filters, Cursor cursor) {
        Map<String, Object> body = new LinkedHashMap<>(filters);
        body.put("pit", cursor.pointInTime());
        body.put("after", cursor.after());
        body.put("route", route);
        body.put("exp", clock.instant().plus(ttl).getEpochSecond());
        try {
            String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(body));
            return payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(secrets.get(0), tenant, payload));
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode a cursor", e);
        }
    }

    /**
     * The request's {@code cursor}, verified and decoded. With a cursor the query's filters come
     * from it: only {@code cursor} and {@code size} may be given besides, so any of
     * {@code filterNames} present is a 400 naming it (the first in that order).
     *
     * @throws BadParameterException naming {@code cursor} when it is not one this API issued for
     *     this route and tenant, or has expired
     */
    public Decoded fromRequest(String route, Tenant tenant, QueryParameters p, List<String> filterNames) {
        for (String name : filterNames) {
            if (p.has(name)) {
                throw new BadParameterException(name, "a cursor carries the query's filters; pass only cursor and size",
                        List.of("cursor", "size"));
            }
        }
        return decode(route, tenant, p.cursor("cursor"));
    }

    @SuppressWarnings("unchecked")
    Decoded decode(String route, Tenant tenant, String value) {
        int dot = value.indexOf('.');
        if (dot <= 0 || dot != value.lastIndexOf('.')) {
            throw new BadParameterException("cursor", INVALID);
        }
        String payload = value.substring(0, dot);
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(value.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new BadParameterException("cursor", INVALID);
        }
        boolean valid = false;
        for (SecretKeySpec secret : secrets) {
            // Every secret is tried, and compared in constant time, so timing says nothing about a MAC.
            valid |= MessageDigest.isEqual(mac(secret, tenant, payload), signature);
        }
        if (!valid) {
            throw new BadParameterException("cursor", INVALID);
        }
        Map<String, Object> body;
        try {
            body = JSON.readValue(Base64.getUrlDecoder().decode(payload), Map.class);
        } catch (Exception e) {
            throw new BadParameterException("cursor", INVALID);
        }
        Object pit = body.get("pit");
        if ((pit != null && !(pit instanceof String)) || !(body.get("after") instanceof List<?>)
                || !route.equals(body.get("route")) || !(body.get("exp") instanceof Number exp)) {
            throw new BadParameterException("cursor", INVALID);
        }
        if (clock.instant().isAfter(Instant.ofEpochSecond(exp.longValue()))) {
            throw new BadParameterException("cursor", "the cursor has expired; start again without a cursor");
        }
        return new Decoded(body);
    }

    /** The MAC binds the payload to the tenant that asked, without writing the tenant into it. */
    private static byte[] mac(SecretKeySpec secret, Tenant tenant, String payload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(secret);
            mac.update((tenant.admin() ? "*" : "org:" + tenant.organizationId()).getBytes(StandardCharsets.UTF_8));
            mac.update((byte) '\n');
            return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
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

        /** An id a cursor carries: checked like any id, though only this API can have written it. */
        public String id(String name) {
            String v = string(name);
            return v == null ? null : QueryParameters.checkId("cursor", name, v);
        }

        public Instant instant(String name) {
            String v = string(name);
            try {
                return v == null ? null : Instant.parse(v);
            } catch (RuntimeException e) {
                throw new BadParameterException("cursor", INVALID);
            }
        }

        @SuppressWarnings("unchecked")
        public Cursor cursor() {
            return new Cursor((String) body.get("pit"), new ArrayList<>((List<Object>) body.get("after")));
        }
    }
}
