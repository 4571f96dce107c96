package io.eventflow.query.events;

import io.eventflow.eventstore.EventDocument;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An aggregate's state folded from its indexed events, for {@code asOf} reads. Payments fold to
 * status, amount and refunds (money in integer minor units); other types report only their version.
 */
final class HistoryFold {
    private HistoryFold() {
    }

    static Map<String, Object> fold(List<EventDocument> events) {
        Map<String, Object> state = new LinkedHashMap<>();
        for (EventDocument e : events) {
            Map<String, Object> d = e.eventData() == null ? Map.of() : e.eventData();
            switch (e.eventType()) {
                case "PaymentProcessed" -> {
                    state.put("status", "processed");
                    state.put("amount", d.get("amount"));
                    state.put("currency", d.get("currency"));
                    state.put("refundAmount", 0L);
                }
                case "PaymentFailed" -> {
                    state.put("status", "failed");
                    state.put("error", d.get("error"));
                }
                case "PaymentRefunded" -> {
                    long refunded = ((Number) state.getOrDefault("refundAmount", 0L)).longValue()
                            + ((Number) d.getOrDefault("refundAmount", 0L)).longValue();
                    state.put("refundAmount", refunded);
                    Object amount = state.get("amount");
                    if (amount instanceof Number n && refunded >= n.longValue()) {
                        state.put("status", "refunded");
                    }
                }
                default -> {
                }
            }
            state.put("version", e.version());
        }
        return state;
    }
}
