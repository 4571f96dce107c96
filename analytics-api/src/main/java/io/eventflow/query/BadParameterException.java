package io.eventflow.query;

/** A request parameter is missing, malformed or out of range; answered with 400 naming it. */
final class BadParameterException extends RuntimeException {
    private final String parameter;

    BadParameterException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    String parameter() {
        return parameter;
    }
}
