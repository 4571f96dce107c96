package io.eventflow.projection.sink;

import io.eventflow.eventstore.PaymentView;
import io.eventflow.eventstore.Position;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import java.time.Instant;

/** The payments read model as a pure fold over events. */
public final class PaymentViews {
    static final String PROCESSED = "processed";
    static final String FAILED = "failed";
    static final String REFUNDED = "refunded";

    private PaymentViews() {
    }

    /** True for the events this read model folds. */
    public static boolean isPaymentEvent(EventEnvelope e) {
        Object p = e.getPayload();
        return p instanceof PaymentProcessed || p instanceof PaymentFailed || p instanceof PaymentRefunded;
    }

    /**
     * Applies {@code e} to {@code view} (null = no document yet). An event at or below the view's
     * version was applied already and changes nothing, which makes replays idempotent.
     * {@code at} is the event's place in the topic, or null when unknown.
     */
    public static PaymentView apply(PaymentView view, EventEnvelope e, Position at) {
        if (view != null && e.getVersion() <= view.version()) {
            return view;
        }
        Instant t = e.getTimestamp();
        Object p = e.getPayload();
        if (p instanceof PaymentProcessed pp) {
            return new PaymentView(e.getAggregateId(), PROCESSED, pp.getAmount(), pp.getCurrency(),
                    pp.getOrganizationId(), pp.getUserId(), t, null, null, 0, 0, null, t, e.getVersion(), at);
        }
        PaymentView v = view != null ? view
                : new PaymentView(e.getAggregateId(), null, null, null, null, null, null, null, null, 0, 0, null, null, 0,
                        null);
        if (p instanceof PaymentFailed pf) {
            return new PaymentView(v.paymentId(), FAILED, v.amount(), v.currency(), v.organizationId(), v.userId(),
                    v.processedAt(), t, v.refundedAt(), v.refundAmount(), v.refundCount(), pf.getError(), t,
                    e.getVersion(), at);
        }
        if (p instanceof PaymentRefunded pr) {
            long refunded = v.refundAmount() + pr.getRefundAmount();
            String status = v.amount() != null && refunded >= v.amount() ? REFUNDED : v.status();
            return new PaymentView(v.paymentId(), status, v.amount(), v.currency(), v.organizationId(), v.userId(),
                    v.processedAt(), v.failedAt(), t, refunded, v.refundCount() + 1, v.error(), t, e.getVersion(), at);
        }
        throw new IllegalArgumentException("not a payment event: " + e.getEventType());
    }
}
