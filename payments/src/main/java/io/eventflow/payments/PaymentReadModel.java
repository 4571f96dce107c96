package io.eventflow.payments;

import io.eventflow.aggregate.ReadModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code payments} read model: {@code paymentId}, {@code status} ({@code processed},
 * {@code failed}, {@code refunded} in full), {@code amount}, {@code currency}, {@code organizationId},
 * {@code userId}, {@code processedAt}, {@code failedAt}, {@code refundedAt}, {@code refundAmount}
 * (the sum refunded, minor units), {@code refundCount}, {@code error}, {@code updatedAt},
 * {@code version}; since contract version 2 also {@code description}, {@code disputedAt} and
 * {@code disputeReason} (null for payments without them, e.g. every one from version-1 events).
 */
final class PaymentReadModel implements ReadModel<PaymentState> {
    private final String mappings = resource("payments-mappings.json");

    @Override
    public String mappings() {
        return mappings;
    }

    @Override
    public Map<String, Object> toDocument(PaymentState s) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("paymentId", s.paymentId());
        d.put("status", s.status().label());
        d.put("amount", s.exists() || s.amount() != 0 ? s.amount() : null);
        d.put("currency", s.currency());
        d.put("organizationId", s.organizationId());
        d.put("userId", s.userId());
        d.put("processedAt", text(s.processedAt()));
        d.put("failedAt", text(s.failedAt()));
        d.put("refundedAt", text(s.refundedAt()));
        d.put("refundAmount", s.refundedTotal());
        d.put("refundCount", s.refundCount());
        d.put("error", s.error());
        d.put("updatedAt", text(s.updatedAt()));
        d.put("version", s.version());
        d.put("description", s.description());
        d.put("disputedAt", text(s.disputedAt()));
        d.put("disputeReason", s.disputeReason());
        return d;
    }

    @Override
    public PaymentState fromDocument(Map<String, Object> d) {
        return new PaymentState((String) d.get("paymentId"), PaymentState.Status.ofLabel((String) d.get("status")),
                number(d.get("amount")), (String) d.get("currency"), (String) d.get("organizationId"),
                (String) d.get("userId"), number(d.get("refundAmount")), (int) number(d.get("refundCount")),
                (String) d.get("error"), instant(d.get("processedAt")), instant(d.get("failedAt")),
                instant(d.get("refundedAt")), instant(d.get("updatedAt")), number(d.get("version")),
                (String) d.get("description"), instant(d.get("disputedAt")), (String) d.get("disputeReason"));
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        return o instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : Instant.parse(o.toString());
    }

    static String resource(String name) {
        try (InputStream in = PaymentReadModel.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
