package io.eventflow.aggregate;

import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How the command side keeps an aggregate's state in its local store and changelog: a compact,
 * versioned binary encoding on the hot path (every command reads and writes one). The store record
 * starts with {@link #format()}; a change of layout takes a new format number and keeps reading
 * the old ones, since changelogs outlive releases. Thread-safe.
 */
public interface StateCodec<S> {

    /** The format number {@link #write} produces, 1 to 127. */
    int format();

    void write(DataOutput out, S state) throws IOException;

    /** @param format the number the record was written with, at most {@link #format()} */
    S read(DataInput in, int format) throws IOException;

    /** The bytes {@link #write} spends on {@code state}; used to keep the stored state bounded. */
    default int encodedSize(S state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try {
            write(new DataOutputStream(bytes), state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.size();
    }
}
