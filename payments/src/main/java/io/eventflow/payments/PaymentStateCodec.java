package io.eventflow.payments;

import static io.eventflow.aggregate.BinaryFields.readInstant;
import static io.eventflow.aggregate.BinaryFields.readString;
import static io.eventflow.aggregate.BinaryFields.stringSize;
import static io.eventflow.aggregate.BinaryFields.writeInstant;
import static io.eventflow.aggregate.BinaryFields.writeString;

import io.eventflow.aggregate.StateCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Instant;

/**
 * Payments in the command side's store. Format 1 (the state before the fold was shared: no
 * timestamps, refund count or error) is still read, from changelogs written by earlier releases;
 * format 2 adds those fields; format 3 (contract version 2) adds the description and the last
 * dispute. Formats 1 and 2 read them as null.
 */
final class PaymentStateCodec implements StateCodec<PaymentState> {
    private static final int V1 = 1;
    private static final int V2 = 2;
    private static final int V3 = 3;

    @Override
    public int format() {
        return V3;
    }

    @Override
    public void write(DataOutput out, PaymentState s) throws IOException {
        writeString(out, s.paymentId());
        writeString(out, s.status().name());
        out.writeLong(s.amount());
        writeString(out, s.currency());
        writeString(out, s.organizationId());
        writeString(out, s.userId());
        out.writeLong(s.refundedTotal());
        out.writeLong(s.version());
        out.writeInt(s.refundCount());
        writeString(out, s.error());
        writeInstant(out, s.processedAt());
        writeInstant(out, s.failedAt());
        writeInstant(out, s.refundedAt());
        writeInstant(out, s.updatedAt());
        writeString(out, s.description());
        writeInstant(out, s.disputedAt());
        writeString(out, s.disputeReason());
    }

    @Override
    public PaymentState read(DataInput in, int format) throws IOException {
        if (format != V1 && format != V2 && format != V3) {
            throw new IOException("unknown payment state format " + format);
        }
        String id = readString(in);
        PaymentState.Status status = PaymentState.Status.valueOf(readString(in));
        long amount = in.readLong();
        String currency = readString(in);
        String organization = readString(in);
        String user = readString(in);
        long refunded = in.readLong();
        long version = in.readLong();
        if (format == V1) {
            return new PaymentState(id, status, amount, currency, organization, user, refunded, 0, null, null, null,
                    null, null, version);
        }
        int refundCount = in.readInt();
        String error = readString(in);
        Instant processedAt = readInstant(in);
        Instant failedAt = readInstant(in);
        Instant refundedAt = readInstant(in);
        Instant updatedAt = readInstant(in);
        if (format == V2) {
            return new PaymentState(id, status, amount, currency, organization, user, refunded, refundCount, error,
                    processedAt, failedAt, refundedAt, updatedAt, version);
        }
        return new PaymentState(id, status, amount, currency, organization, user, refunded, refundCount, error,
                processedAt, failedAt, refundedAt, updatedAt, version, readString(in), readInstant(in), readString(in));
    }

    @Override
    public int encodedSize(PaymentState s) {
        return stringSize(s.paymentId()) + stringSize(s.status().name()) + 8 + stringSize(s.currency())
                + stringSize(s.organizationId()) + stringSize(s.userId()) + 8 + 8 + 4 + stringSize(s.error()) + 4 * 9
                + stringSize(s.description()) + 9 + stringSize(s.disputeReason());
    }
}
