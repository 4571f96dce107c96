package io.eventflow.query;

import java.util.List;

/**
 * A request the API refuses, answered as an RFC 9457 problem (application/problem+json).
 * {@code parameter} names the bad input and {@code allowed} says what it accepts; both may be null.
 */
class ProblemException extends RuntimeException {
    private final int status;
    private final String title;
    private final String parameter;
    private final List<String> allowed;

    ProblemException(int status, String title, String detail, String parameter, List<String> allowed) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.parameter = parameter;
        this.allowed = allowed;
    }

    int status() {
        return status;
    }

    String title() {
        return title;
    }

    String parameter() {
        return parameter;
    }

    List<String> allowed() {
        return allowed;
    }
}
