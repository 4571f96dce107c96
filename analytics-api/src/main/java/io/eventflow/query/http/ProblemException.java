package io.eventflow.query.http;

import java.util.List;

/**
 * A request the API refuses, answered as an RFC 9457 problem (application/problem+json).
 * {@code parameter} names the bad input and {@code allowed} says what it accepts; both may be null.
 */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;
    private final String parameter;
    private final List<String> allowed;

    public ProblemException(int status, String title, String detail, String parameter, List<String> allowed) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.parameter = parameter;
        this.allowed = allowed;
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
