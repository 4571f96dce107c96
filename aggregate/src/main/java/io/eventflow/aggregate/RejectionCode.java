package io.eventflow.aggregate;

/**
 * A reason a command is refused. Each aggregate module owns its codes (an enum implementing this
 * interface, e.g. {@code PAYMENT_NOT_FOUND}); the generic ones are {@link CommonRejection}. Codes are
 * upper snake case, stable (clients branch on them) and written to the command result's
 * {@code rejection.code}.
 */
public interface RejectionCode {
    String name();
}
