package io.eventflow.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * A binary decoder over one record's bytes that refuses any length or count the remaining bytes
 * cannot hold, before anything is allocated. Avro itself only refuses lengths above its global
 * {@code org.apache.avro.limits.*} system properties (read once, for the whole JVM, when
 * {@code SystemLimitException} initializes), so a record announcing a 1.9 GB string would
 * otherwise allocate it and throw {@link OutOfMemoryError} rather than an exception.
 *
 * <p>Array counts are allowed up to {@link #ZERO_WIDTH_ITEMS} beyond the remaining bytes, since
 * items of a null or empty record type take no bytes; no contract schema has such an array. Not
 * thread-safe: one per record.
 */
final class BoundedDecoder extends Decoder {
    static final int ZERO_WIDTH_ITEMS = 1024;

    private final BinaryDecoder in;
    private byte[] scratch = new byte[64];

    /** {@code in} must read from a byte array (its input stream's available() is then exact). */
    BoundedDecoder(BinaryDecoder in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    private long remaining() throws IOException {
        return in.inputStream().available();
    }

    private int checkedLength(String what) throws IOException {
        long length = in.readLong();
        long remaining = remaining();
        if (length < 0 || length > remaining) {
            throw new EOFException(what + " of " + length + " bytes announced, but only " + remaining
                    + " bytes remain in the record");
        }
        return (int) length;
    }

    private long checkedCount(long count, long allowance, String what) throws IOException {
        long remaining = remaining();
        if (count > remaining + allowance) {
            throw new EOFException(what + " of " + count + " items announced, but only " + remaining
                    + " bytes remain in the record");
        }
        return count;
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = checkedLength("a string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        if (length > 0) {
            in.readFixed(result.getBytes(), 0, length);
        }
        return result;
    }

    @Override
    public String readString() throws IOException {
        int length = checkedLength("a string");
        // Decoded from one scratch array per record: a fresh array per string was a tenth of what a
        // replay allocates, copied once more into the String.
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, 2 * scratch.length)];
        }
        in.readFixed(scratch, 0, length);
        return new String(scratch, 0, length, StandardCharsets.UTF_8);
    }

    @Override
    public void skipString() throws IOException {
        in.skipFixed(checkedLength("a string"));
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = checkedLength("a bytes value");
        ByteBuffer result;
        if (old != null && length <= old.capacity()) {
            result = old;
            result.clear();
        } else {
            result = ByteBuffer.allocate(length);
        }
        in.readFixed(result.array(), result.position(), length);
        result.limit(length);
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipFixed(checkedLength("a bytes value"));
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public long readArrayStart() throws IOException {
        return checkedCount(in.readArrayStart(), ZERO_WIDTH_ITEMS, "an array");
    }

    @Override
    public long arrayNext() throws IOException {
        return checkedCount(in.arrayNext(), ZERO_WIDTH_ITEMS, "an array block");
    }

    @Override
    public long skipArray() throws IOException {
        return in.skipArray();
    }

    @Override
    public long readMapStart() throws IOException {
        // Every entry has a key of at least one byte (its length).
        return checkedCount(in.readMapStart(), 0, "a map");
    }

    @Override
    public long mapNext() throws IOException {
        return checkedCount(in.mapNext(), 0, "a map block");
    }

    @Override
    public long skipMap() throws IOException {
        return in.skipMap();
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }

    boolean isEnd() throws IOException {
        return in.isEnd();
    }
}
