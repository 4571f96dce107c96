package io.eventflow.query.http;

import io.eventflow.eventstore.EnvelopeRules;
import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates query parameters; every failure is a 400 that names the parameter and what it allows.
 * Ids (path ids and id-valued filters) follow {@link EnvelopeRules}, the rule the command side
 * enforces, so every id that can be written can be read and no other is sent to Elasticsearch.
 */
public final class QueryParameters {
    /** Longest exact-match value that is not an id (aggregate and event types). */
    private static final int MAX_TERM_LENGTH = 256;
    private static final int MAX_TEXT_LENGTH = 512;
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final Instant MIN_INSTANT = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private final Context ctx;
    private final Map<String, List<String>> params;

    private QueryParameters(Context ctx, Map<String, List<String>> params) {
        this.ctx = ctx;
        this.params = params;
    }

    /** The request's parameters, refusing unknown names, repeats and undecodable bytes. */
    static QueryParameters of(Context ctx, Set<String> allowed) {
        Map<String, List<String>> params = parse(ctx.queryString());
        for (var e : params.entrySet()) {
            String name = e.getKey();
            if (!allowed.contains(name)) {
                throw new BadParameterException(name, "unknown parameter '" + printable(name) + "'",
                        allowed.stream().sorted().toList());
            }
            if (e.getValue().size() > 1) {
                throw new BadParameterException(name, name + " is given more than once");
            }
            String value = e.getValue().get(0);
            if (value.chars().anyMatch(c -> c == 0xFFFD || Character.isISOControl(c))) {
                throw new BadParameterException(name, name + " contains bytes that are not printable UTF-8");
            }
        }
        return new QueryParameters(ctx, params);
    }

    /**
     * The query string's parameters, decoded strictly. Javalin's own map drops a value whose
     * percent-escape is malformed (a lone {@code %}) and keeps its name with no value, which
     * reached the handlers as an empty list (a 500); here it is a 400 naming the parameter.
     */
    static Map<String, List<String>> parse(String query) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
            String name = decode(rawName, "query", "a parameter name");
            String value = decode(rawValue, name.isEmpty() ? "query" : name, name);
            params.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
        }
        return params;
    }

    private static String decode(String raw, String parameter, String what) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadParameterException(parameter, printable(what) + " is not valid percent-encoding: "
                    + "write a literal % as %25");
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    public boolean has(String name) {
        return params.containsKey(name);
    }

    private String raw(String name) {
        List<String> v = params.get(name);
        return v == null ? null : v.get(0);
    }

    public String term(String name) {
        String value = raw(name);
        if (value == null) {
            return null;
        }
        if (value.isBlank() || value.length() > MAX_TERM_LENGTH) {
            throw new BadParameterException(name, name + " must be 1 to " + MAX_TERM_LENGTH + " characters");
        }
        return value;
    }

    /** An id-valued filter ({@code organizationId}, {@code userId}), or null when absent. */
    public String id(String name) {
        String value = raw(name);
        return value == null ? null : checkId(name, value);
    }

    /**
     * {@code value} when it is a valid id, else a 400 naming {@code parameter} with the rule in
     * its detail. Also used for ids a cursor carries (then {@code parameter} is {@code cursor}).
     */
    public static String checkId(String parameter, String field, String value) {
        EnvelopeRules.idViolation(field, value).ifPresent(v -> {
            throw new BadParameterException(parameter, v);
        });
        return value;
    }

    private static String checkId(String name, String value) {
        return checkId(name, name, value);
    }

    public String text(String name) {
        String value = raw(name);
        if (value == null) {
            return null;
        }
        if (value.isBlank() || value.length() > MAX_TEXT_LENGTH) {
            throw new BadParameterException(name, name + " must be 1 to " + MAX_TEXT_LENGTH + " characters");
        }
        return value;
    }

    /** A pagination cursor: opaque, up to 4 KiB. */
    public String cursor(String name) {
        String value = raw(name);
        if (value == null || value.isBlank() || value.length() > 4_096) {
            throw new BadParameterException(name, name + " must be the 'next' value of the previous page");
        }
        return value;
    }

    public String required(String name) {
        String value = term(name);
        if (value == null) {
            throw new BadParameterException(name, name + " is required");
        }
        return value;
    }

    /** An ISO-8601 instant (2026-01-31T10:15:30Z) or a date (2026-01-31, meaning its start in UTC). */
    public Instant instant(String name) {
        String value = raw(name);
        if (value == null) {
            return null;
        }
        Instant instant;
        try {
            instant = Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                instant = LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException | ArithmeticException e2) {
                throw new BadParameterException(name, name + " must be an ISO-8601 instant such as 2026-01-31T10:15:30Z "
                        + "or a date such as 2026-01-31");
            }
        }
        return checkYear(name, instant);
    }

    /**
     * {@code instant} when its year is 0000 to 9999, else a 400 naming {@code name}: Elasticsearch's
     * date fields refuse other years, which answered 500 before.
     */
    public static Instant checkYear(String name, Instant instant) {
        if (instant.isBefore(MIN_INSTANT) || instant.isAfter(MAX_INSTANT)) {
            throw new BadParameterException(name, name + " must be within the years 0000 to 9999 (UTC)");
        }
        return instant;
    }

    /** from and to, with from not after to. */
    public Instant[] range() {
        Instant from = instant("from");
        Instant to = instant("to");
        if (from != null && to != null && from.isAfter(to)) {
            throw new BadParameterException("from", "from (" + from + ") is after to (" + to + ")");
        }
        return new Instant[] {from, to};
    }

    public int intInRange(String name, int defaultValue, int min, int max) {
        String value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadParameterException(name, name + " must be an integer from " + min + " to " + max);
        }
    }

    /** A whole number from {@code min} up, or null when absent. */
    public Long longAtLeast(String name, long min) {
        String value = raw(name);
        if (value == null) {
            return null;
        }
        try {
            long n = Long.parseLong(value);
            if (n < min) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadParameterException(name, name + " must be an integer from " + min + " to " + Long.MAX_VALUE);
        }
    }

    public <E extends Enum<E>> E oneOf(String name, Class<E> type, E defaultValue) {
        String value = raw(name);
        List<String> allowed = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase()).toList();
        if (value == null) {
            if (defaultValue == null) {
                throw new BadParameterException(name, name + " is required", allowed);
            }
            return defaultValue;
        }
        for (E c : type.getEnumConstants()) {
            if (c.name().equalsIgnoreCase(value)) {
                return c;
            }
        }
        throw new BadParameterException(name, name + " must be one of " + allowed, allowed);
    }

    public String oneOf(String name, List<String> allowed) {
        String value = raw(name);
        if (value != null && !allowed.contains(value)) {
            throw new BadParameterException(name, name + " must be one of " + allowed, allowed);
        }
        return value;
    }

    public String currency(String name) {
        String value = raw(name);
        if (value != null && !CURRENCY.matcher(value).matches()) {
            throw new BadParameterException(name, name + " must be an ISO 4217 code of three capital letters such as EUR");
        }
        return value;
    }

    public ZoneId zone(String name) {
        String value = raw(name);
        if (value == null) {
            return ZoneOffset.UTC;
        }
        try {
            return ZoneId.of(value);
        } catch (DateTimeException e) {
            throw new BadParameterException(name, name + " must be a time zone id such as UTC, Europe/Paris or +02:00");
        }
    }

    /** An id in the path, percent-decoded; a malformed escape is a 400 naming it. */
    public String pathId(String name) {
        String value;
        try {
            value = ctx.pathParam(name);
        } catch (IllegalArgumentException e) {
            throw new BadParameterException(name, name + " is not valid percent-encoding: write a literal % as %25");
        }
        return checkId(name, value);
    }
}
