package io.eventflow.query.http;

import java.util.List;

/**
 * A request the API refuses, answered as an RFC 9457 problem (application/problem+json).
 * {@code parameter} names the bad input and {@code allowed} says what it accepts; both may be null.
 * {@code retryAfterSeconds}, when set, goes out as {@code Retry-After}.
 */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;
    private final String parameter;
    private final List<String> allowed;
    private final Long retryAfterSeconds;

    public ProblemException(int status, String title, String detail, String parameter, List<String> allowed) {
        this(status, title, detail, parameter, allowed, null);
    }

    /** @param retryAfterSeconds sent as {@code Retry-After} when not null */
    public ProblemException(int status, String title, String detail, String parameter, List<String> allowed,
            Long retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.parameter = parameter;
        this.allowed = allowed;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds a client should wait before it asks again, or null. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String parameter() {
        return parameter;
    }

    public List<String> allowed() {
        return allowed;
    }
}
