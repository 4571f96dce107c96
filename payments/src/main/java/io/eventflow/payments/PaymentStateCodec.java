package io.eventflow.payments;

import io.eventflow.aggregate.StateCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Payments in the command side's store. Format 1 (the state before the fold was shared: no
 * timestamps, refund count or error) is still read, from changelogs written by earlier releases;
 * format 2 adds those fields.
 */
final class PaymentStateCodec implements StateCodec<PaymentState> {
    private static final int V1 = 1;
    private static final int V2 = 2;

    @Override
    public int format() {
        return V2;
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
    }

    @Override
    public PaymentState read(DataInput in, int format) throws IOException {
        if (format != V1 && format != V2) {
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
        return new PaymentState(id, status, amount, currency, organization, user, refunded, in.readInt(),
                readString(in), readInstant(in), readInstant(in), readInstant(in), readInstant(in), version);
    }

    @Override
    public int encodedSize(PaymentState s) {
        return stringSize(s.paymentId()) + stringSize(s.status().name()) + 8 + stringSize(s.currency())
                + stringSize(s.organizationId()) + stringSize(s.userId()) + 8 + 8 + 4 + stringSize(s.error()) + 4 * 9;
    }

    private static int stringSize(String s) {
        return s == null ? 4 : 4 + s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void writeString(DataOutput out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void writeInstant(DataOutput out, Instant t) throws IOException {
        out.writeBoolean(t != null);
        out.writeLong(t == null ? 0 : t.toEpochMilli());
    }

    private static Instant readInstant(DataInput in) throws IOException {
        boolean present = in.readBoolean();
        long millis = in.readLong();
        return present ? Instant.ofEpochMilli(millis) : null;
    }
}
