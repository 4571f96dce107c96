package io.eventflow.e2e;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Command records that are broken behind a valid Confluent wire-format header, as hostile producers send them. */
final class BrokenRecords {
    private BrokenRecords() {
    }

    /** {@code template}'s header (magic byte and schema id), then a first string announcing {@code length} bytes, then 3. */
    static byte[] lengthPrefix(byte[] template, long length) {
        return concat(Arrays.copyOf(template, 5), zigzagVarint(length), "abc".getBytes(StandardCharsets.UTF_8));
    }

    /** The wire-format header of a schema id, then {@code body}. */
    static byte[] withSchemaId(int id, byte[] body) {
        return concat(new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id}, body);
    }

    /** Avro's length encoding: zig-zag, then a base-128 varint. */
    static byte[] zigzagVarint(long n) {
        long z = (n << 1) ^ (n >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((z & ~0x7FL) != 0) {
            out.write((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        out.write((int) z);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
