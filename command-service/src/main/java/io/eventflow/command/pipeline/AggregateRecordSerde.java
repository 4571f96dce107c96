package io.eventflow.command.pipeline;

import io.eventflow.command.payment.PaymentState;
import io.eventflow.command.pipeline.AggregateRecord.ProcessedCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The state store's value format: a compact, versioned binary encoding of {@link AggregateRecord}.
 * Every command reads and writes one, so it is on the hot path (JSON cost about twice as much CPU
 * per command). Only this service reads it, from its store and changelog. A format change adds a
 * new version byte and keeps reading the old ones.
 */
final class AggregateRecordSerde {
    private static final byte V1 = 1;

    private AggregateRecordSerde() {
    }

    static Serde<AggregateRecord> serde() {
        Serializer<AggregateRecord> ser = (topic, value) -> value == null ? null : encode(value);
        Deserializer<AggregateRecord> de = (topic, bytes) -> bytes == null ? null : decode(bytes);
        return Serdes.serdeFrom(ser, de);
    }

    static byte[] encode(AggregateRecord r) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + 96 * r.processed().size());
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(V1);
            PaymentState s = r.state();
            writeString(out, s.paymentId());
            writeString(out, s.status().name());
            out.writeLong(s.amount());
            writeString(out, s.currency());
            writeString(out, s.organizationId());
            writeString(out, s.userId());
            out.writeLong(s.refundedTotal());
            out.writeLong(s.version());
            out.writeInt(r.processed().size());
            for (ProcessedCommand p : r.processed()) {
                writeString(out, p.commandId());
                writeString(out, p.correlationId());
                out.writeLong(p.processedAt());
                out.writeBoolean(p.accepted());
                writeLong(out, p.version());
                writeString(out, p.reason());
                writeString(out, p.message());
                writeLong(out, p.expectedVersion());
                writeLong(out, p.actualVersion());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("cannot encode the aggregate record of " + r.state().paymentId(), e);
        }
    }

    static AggregateRecord decode(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            byte version = in.readByte();
            if (version != V1) {
                throw new SerializationException("unknown aggregate record format version " + version);
            }
            PaymentState state = new PaymentState(readString(in), PaymentState.Status.valueOf(readString(in)),
                    in.readLong(), readString(in), readString(in), readString(in), in.readLong(), in.readLong());
            int n = in.readInt();
            List<ProcessedCommand> processed = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                processed.add(new ProcessedCommand(readString(in), readString(in), in.readLong(), in.readBoolean(),
                        readLong(in), readString(in), readString(in), readLong(in), readLong(in)));
            }
            return new AggregateRecord(state, processed);
        } catch (IOException | RuntimeException e) {
            throw e instanceof SerializationException se ? se
                    : new SerializationException("cannot decode an aggregate record of " + bytes.length + " bytes", e);
        }
    }

    /** The bytes {@link #encode} spends on a state: the header, the fixed fields and the strings. */
    static int encodedSize(PaymentState s) {
        return 1 + stringSize(s.paymentId()) + stringSize(s.status().name()) + 8 + stringSize(s.currency())
                + stringSize(s.organizationId()) + stringSize(s.userId()) + 8 + 8 + 4;
    }

    /** The bytes {@link #encode} spends on one processed command. */
    static int encodedSize(ProcessedCommand p) {
        return stringSize(p.commandId()) + stringSize(p.correlationId()) + 8 + 1 + 9 + stringSize(p.reason())
                + stringSize(p.message()) + 9 + 9;
    }

    private static int stringSize(String s) {
        if (s == null) {
            return 4;
        }
        int n = 4;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void writeLong(DataOutputStream out, Long v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) {
            out.writeLong(v);
        }
    }

    private static Long readLong(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
    }
}
