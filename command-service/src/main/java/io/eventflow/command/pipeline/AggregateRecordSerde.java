package io.eventflow.command.pipeline;

import static io.eventflow.aggregate.BinaryFields.readLong;
import static io.eventflow.aggregate.BinaryFields.readString;
import static io.eventflow.aggregate.BinaryFields.stringSize;
import static io.eventflow.aggregate.BinaryFields.writeLong;
import static io.eventflow.aggregate.BinaryFields.writeString;

import io.eventflow.aggregate.StateCodec;
import io.eventflow.command.pipeline.AggregateRecord.ProcessedCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The state store's value format: a compact, versioned binary encoding of {@link AggregateRecord}:
 * the format byte of the aggregate type's {@link StateCodec}, the codec's state bytes, then the
 * remembered results. Every command reads and writes one, so it is on the hot path (JSON cost about
 * twice as much CPU per command). Only this service reads it, from its store and changelog. A
 * layout change takes a new format number in the codec, which keeps reading the old ones: payment
 * records of format 1 (written before aggregate types had codecs) still decode. Thread-safe.
 */
final class AggregateRecordSerde<S> {
    private final StateCodec<S> codec;

    AggregateRecordSerde(StateCodec<S> codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
        if (codec.format() < 1 || codec.format() > 127) {
            throw new IllegalArgumentException("a state codec's format is 1 to 127, got " + codec.format());
        }
    }

    Serde<AggregateRecord<S>> serde() {
        Serializer<AggregateRecord<S>> ser = (topic, value) -> value == null ? null : encode(value);
        Deserializer<AggregateRecord<S>> de = (topic, bytes) -> bytes == null ? null : decode(bytes);
        return Serdes.serdeFrom(ser, de);
    }

    byte[] encode(AggregateRecord<S> r) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + 96 * r.processed().size());
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(codec.format());
            codec.write(out, r.state());
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
            throw new SerializationException("cannot encode an aggregate record", e);
        }
    }

    AggregateRecord<S> decode(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            byte format = in.readByte();
            if (format < 1 || format > codec.format()) {
                throw new SerializationException("unknown aggregate record format version " + format
                        + " (this release writes " + codec.format() + ")");
            }
            S state = codec.read(in, format);
            int n = in.readInt();
            List<ProcessedCommand> processed = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                processed.add(new ProcessedCommand(readString(in), readString(in), in.readLong(), in.readBoolean(),
                        readLong(in), readString(in), readString(in), readLong(in), readLong(in)));
            }
            return new AggregateRecord<>(state, processed);
        } catch (IOException | RuntimeException e) {
            throw e instanceof SerializationException se ? se
                    : new SerializationException("cannot decode an aggregate record of " + bytes.length + " bytes", e);
        }
    }

    /** The bytes {@link #encode} spends on a state: the format byte, the codec's bytes and the count of results. */
    int encodedSize(S s) {
        return 1 + codec.encodedSize(s) + 4;
    }

    /** The bytes {@link #encode} spends on one processed command. */
    static int encodedSize(ProcessedCommand p) {
        return stringSize(p.commandId()) + stringSize(p.correlationId()) + 8 + 1 + 9 + stringSize(p.reason())
                + stringSize(p.message()) + 9 + 9;
    }
}
