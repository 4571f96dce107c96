package io.eventflow.command.bus;

/**
 * How logging and metrics middleware describe a handler result: {@code accepted} or
 * {@code rejected}, and a reason ({@code none} when accepted). Never null.
 */
public record Outcome(String status, String reason) {
    public static final Outcome ACCEPTED = new Outcome("accepted", "none");

    public static Outcome rejected(String reason) {
        return new Outcome("rejected", reason);
    }
}
