package io.eventflow.command.bus;

/** A command arrived whose type has no registered handler; permanent for that command. */
public final class NoHandlerException extends RuntimeException {
    public NoHandlerException(String type) {
        super("no handler registered for command type " + type);
    }
}
