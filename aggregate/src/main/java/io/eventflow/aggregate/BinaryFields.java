package io.eventflow.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The field encodings of the command side's store records, shared by {@link StateCodec}s and the
 * record around them: a nullable string as its UTF-8 length ({@code -1} for null) and bytes, a
 * nullable long and a nullable instant behind a presence flag. Stateless; thread-safe.
 */
public final class BinaryFields {
    private BinaryFields() {
    }

    public static void writeString(DataOutput out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    public static String readString(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The bytes {@link #writeString} spends on {@code s}, counted without encoding it. */
    public static int stringSize(String s) {
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

    public static void writeLong(DataOutput out, Long v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) {
            out.writeLong(v);
        }
    }

    public static Long readLong(DataInput in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
    }

    /** A presence flag and the epoch milliseconds (0 when absent): 9 bytes either way. */
    public static void writeInstant(DataOutput out, Instant t) throws IOException {
        out.writeBoolean(t != null);
        out.writeLong(t == null ? 0 : t.toEpochMilli());
    }

    public static Instant readInstant(DataInput in) throws IOException {
        boolean present = in.readBoolean();
        long millis = in.readLong();
        return present ? Instant.ofEpochMilli(millis) : null;
    }
}
