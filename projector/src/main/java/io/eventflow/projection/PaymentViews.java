package io.eventflow.projection;

import io.eventflow.eventstore.PaymentView;
import io.eventflow.schemas.EventEnvelope;
import io.eventflow.schemas.payment.PaymentFailed;
import io.eventflow.schemas.payment.PaymentProcessed;
import io.eventflow.schemas.payment.PaymentRefunded;
import java.time.Instant;

/** The payments read model as a pure fold over events. */
final class PaymentViews {
    static final String PROCESSED = "processed";
    static final String FAILED = "failed";
    static final String REFUNDED = "refunded";

    private PaymentViews() {
    }

    /** True for the events this read model folds. */
    static boolean isPaymentEvent(EventEnvelope e) {
        Object p = e.getPayload();
        return p instanceof PaymentProcessed || p instanceof PaymentFailed || p instanceof PaymentRefunded;
    }

    /**
     * Applies {@code e} to {@code view} (null = no document yet). An event at or below the view's
     * version was applied already and changes nothing, which makes replays idempotent.
     */
    static PaymentView apply(PaymentView view, EventEnvelope e) {
        if (view != null && e.getVersion() <= view.version()) {
            return view;
        }
        Instant at = e.getTimestamp();
        Object p = e.getPayload();
        if (p instanceof PaymentProcessed pp) {
            return new PaymentView(e.getAggregateId(), PROCESSED, pp.getAmount(), pp.getCurrency(),
                    pp.getOrganizationId(), pp.getUserId(), at, null, null, 0, null, at, e.getVersion());
        }
        PaymentView v = view != null ? view
                : new PaymentView(e.getAggregateId(), null, null, null, null, null, null, null, null, 0, null, null, 0);
        if (p instanceof PaymentFailed pf) {
            return new PaymentView(v.paymentId(), FAILED, v.amount(), v.currency(), v.organizationId(), v.userId(),
                    v.processedAt(), at, v.refundedAt(), v.refundAmount(), pf.getError(), at, e.getVersion());
        }
        if (p instanceof PaymentRefunded pr) {
            long refunded = v.refundAmount() + pr.getRefundAmount();
            String status = v.amount() != null && refunded >= v.amount() ? REFUNDED : v.status();
            return new PaymentView(v.paymentId(), status, v.amount(), v.currency(), v.organizationId(), v.userId(),
                    v.processedAt(), v.failedAt(), at, refunded, v.error(), at, e.getVersion());
        }
        throw new IllegalArgumentException("not a payment event: " + e.getEventType());
    }
}
