package io.eventflow.query;

import java.util.List;

/** A query parameter that is missing, malformed or out of range: a 400 that names it. */
final class BadParameterException extends ProblemException {
    BadParameterException(String parameter, String detail) {
        this(parameter, detail, null);
    }

    BadParameterException(String parameter, String detail, List<String> allowed) {
        super(400, "Bad request parameter", detail, parameter, allowed);
    }
}
