package io.eventflow.eventstore;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The contract every id and every metadata map must meet, defined once: the command-service refuses
 * a command that breaks it (a typed rejection), and the analytics API answers 400 to a path or
 * filter id that breaks it. So everything that is accepted can be indexed and read back.
 *
 * <ul>
 *   <li>An id (aggregate, command, correlation, causation, organization, user) is 1 to
 *       {@value #MAX_ID_BYTES} bytes of the characters a URL path segment carries unencoded
 *       (RFC 3986 {@code pchar}): ASCII letters and digits and {@code -._~!$&'()*+,;=:@}. That is far
 *       inside Elasticsearch's 512-byte {@code _id} limit, and needs no escaping in an API path.</li>
 *   <li>{@code metadata.extra} has at most {@value #MAX_EXTRA_ENTRIES} entries; a key is 1 to
 *       {@value #MAX_EXTRA_KEY_LENGTH} of {@code A-Z a-z 0-9 _ -} (no dots: in an object mapping a dot
 *       makes a key an object, which clashes with the same key as a string); a value is at most
 *       {@value #MAX_EXTRA_VALUE_BYTES} UTF-8 bytes.</li>
 * </ul>
 * Pure and thread-safe. Every method answers the first violation it finds as a message naming the
 * field, never echoing more than the first 64 characters of a bad value.
 */
public final class EnvelopeRules {
    /** Longest id, in UTF-8 bytes (all allowed characters are ASCII, so also in characters). */
    public static final int MAX_ID_BYTES = 256;
    public static final int MAX_EXTRA_ENTRIES = 64;
    public static final int MAX_EXTRA_KEY_LENGTH = 64;
    public static final int MAX_EXTRA_VALUE_BYTES = 1024;

    private static final String ID_PUNCTUATION = "-._~!$&'()*+,;=:@";

    private EnvelopeRules() {
    }

    /** True when {@code id} is a valid id. Null is not. */
    public static boolean isValidId(String id) {
        return idViolation("id", id).isEmpty();
    }

    /**
     * Why {@code value} is not a valid id, or empty when it is.
     *
     * @param field the name used in the message, e.g. {@code aggregateId}
     */
    public static Optional<String> idViolation(String field, String value) {
        if (value == null) {
            return Optional.of(field + " is missing");
        }
        if (value.isEmpty()) {
            return Optional.of(field + " is empty");
        }
        if (value.length() > MAX_ID_BYTES) {
            return Optional.of(field + " is " + value.getBytes(StandardCharsets.UTF_8).length
                    + " bytes long; at most " + MAX_ID_BYTES + " are allowed");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isIdChar(c)) {
                return Optional.of(field + " '" + preview(value) + "' has a character that is not allowed at index " + i
                        + " (" + describe(c) + "); ids use A-Z a-z 0-9 and " + ID_PUNCTUATION);
            }
        }
        return Optional.empty();
    }

    /** As {@link #idViolation}, but null is allowed (an optional id). */
    public static Optional<String> optionalIdViolation(String field, String value) {
        return value == null ? Optional.empty() : idViolation(field, value);
    }

    /**
     * Why the metadata is not valid, or empty when it is. {@code organizationId} and {@code userId}
     * may be null here (an aggregate's own rules decide whether they are required); {@code extra}
     * may be null (no entries).
     */
    public static Optional<String> metadataViolation(String organizationId, String userId,
            Map<? extends CharSequence, ? extends CharSequence> extra) {
        Optional<String> v = optionalIdViolation("metadata.organizationId", organizationId);
        if (v.isPresent()) {
            return v;
        }
        v = optionalIdViolation("metadata.userId", userId);
        if (v.isPresent() || extra == null) {
            return v;
        }
        if (extra.size() > MAX_EXTRA_ENTRIES) {
            return Optional.of("metadata.extra has " + extra.size() + " entries; at most " + MAX_EXTRA_ENTRIES
                    + " are allowed");
        }
        for (var e : extra.entrySet()) {
            String key = e.getKey() == null ? null : e.getKey().toString();
            if (key == null || key.isEmpty()) {
                return Optional.of("metadata.extra has an empty key");
            }
            if (key.length() > MAX_EXTRA_KEY_LENGTH) {
                return Optional.of("metadata.extra key '" + preview(key) + "' is longer than " + MAX_EXTRA_KEY_LENGTH
                        + " characters");
            }
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i);
                if (!(isAsciiLetterOrDigit(c) || c == '_' || c == '-')) {
                    return Optional.of("metadata.extra key '" + preview(key) + "' has a character that is not allowed ("
                            + describe(c) + "); keys use A-Z a-z 0-9 _ -");
                }
            }
            CharSequence value = e.getValue();
            if (value != null && value.toString().getBytes(StandardCharsets.UTF_8).length > MAX_EXTRA_VALUE_BYTES) {
                return Optional.of("metadata.extra value of '" + key + "' is longer than " + MAX_EXTRA_VALUE_BYTES
                        + " bytes");
            }
        }
        return Optional.empty();
    }

    private static boolean isIdChar(char c) {
        return isAsciiLetterOrDigit(c) || ID_PUNCTUATION.indexOf(c) >= 0;
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static String describe(char c) {
        return c < 0x20 || c == 0x7f || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    /** At most 64 characters of a value, with control characters replaced, for messages. */
    static String preview(String s) {
        String head = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        StringBuilder out = new StringBuilder(head.length());
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return out.toString();
    }
}
