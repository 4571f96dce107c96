package io.eventflow.query;

import io.javalin.http.Context;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Set;

/** Reads and validates query parameters; every failure names the parameter. */
final class QueryParameters {
    private static final int MAX_TERM_LENGTH = 256;

    private QueryParameters() {
    }

    static void allowOnly(Context ctx, Set<String> allowed) {
        for (String name : ctx.queryParamMap().keySet()) {
            if (!allowed.contains(name)) {
                throw new BadParameterException(name, "unknown parameter '" + name + "'; allowed: " + String.join(", ", allowed));
            }
        }
    }

    static String term(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return null;
        }
        if (value.isBlank() || value.length() > MAX_TERM_LENGTH) {
            throw new BadParameterException(name, name + " must be 1 to " + MAX_TERM_LENGTH + " characters");
        }
        return value;
    }

    /** An ISO-8601 instant (2026-01-31T10:15:30Z) or a date (2026-01-31, meaning its start in UTC). */
    static Instant instant(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e2) {
                throw new BadParameterException(name, name + " must be an ISO-8601 instant such as 2026-01-31T10:15:30Z "
                        + "or a date such as 2026-01-31, got '" + value + "'");
            }
        }
    }

    static int intInRange(Context ctx, String name, int defaultValue, int min, int max) {
        String value = ctx.queryParam(name);
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
            throw new BadParameterException(name, name + " must be an integer from " + min + " to " + max + ", got '" + value + "'");
        }
    }
}
