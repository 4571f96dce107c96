package io.eventflow.command.payment;

import java.util.List;

/** The outcome of {@code decide}: new events, or a rejection. */
public sealed interface Decision {

    record Accepted(List<PaymentEvent> events) implements Decision {
        public Accepted {
            events = List.copyOf(events);
        }
    }

    record Rejected(Rejection rejection) implements Decision {
    }

    static Decision accept(PaymentEvent... events) {
        return new Accepted(List.of(events));
    }

    static Decision reject(Rejection.Reason reason, String message) {
        return new Rejected(Rejection.of(reason, message));
    }
}
