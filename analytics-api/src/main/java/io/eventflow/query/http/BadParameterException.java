package io.eventflow.query.http;

import java.util.List;

/** A query parameter that is missing, malformed or out of range: a 400 that names it. */
public final class BadParameterException extends ProblemException {
    public BadParameterException(String parameter, String detail) {
        this(parameter, detail, null);
    }

    public BadParameterException(String parameter, String detail, List<String> allowed) {
        super(400, "Bad request parameter", detail, parameter, allowed);
    }
}
