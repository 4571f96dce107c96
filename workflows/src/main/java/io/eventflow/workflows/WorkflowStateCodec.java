package io.eventflow.workflows;

import io.eventflow.aggregate.StateCodec;
import io.eventflow.workflows.WorkflowState.Status;
import io.eventflow.workflows.WorkflowState.Step;
import io.eventflow.workflows.WorkflowState.StepStatus;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Workflows in the command side's store, format 1. Compact because every command reads and writes
 * the whole state, steps included: lengths and numbers are variable-length (LEB128, signed ones
 * zig-zag), strings UTF-8 with their length + 1 (0 = null), instants epoch milliseconds behind a
 * presence byte, statuses one byte from the fixed tables below (never the enums' ordinals, so the
 * enums may change without changing the format). Instants keep millisecond precision, as event
 * timestamps have. Stateless, thread-safe.
 */
final class WorkflowStateCodec implements StateCodec<WorkflowState> {
    private static final int V1 = 1;
    private static final Status[] STATUS = {Status.NONE, Status.RUNNING, Status.COMPLETED, Status.FAILED,
        Status.CANCELLED};
    private static final StepStatus[] STEP_STATUS = {StepStatus.RUNNING, StepStatus.COMPLETED, StepStatus.FAILED};

    @Override
    public int format() {
        return V1;
    }

    @Override
    public void write(DataOutput out, WorkflowState s) throws IOException {
        writeString(out, s.workflowId());
        out.writeByte(code(STATUS, s.status()));
        writeString(out, s.name());
        writeString(out, s.organizationId());
        writeString(out, s.userId());
        writeString(out, s.currentStep());
        writeString(out, s.error());
        writeString(out, s.cancelReason());
        writeInstant(out, s.startedAt());
        writeInstant(out, s.endedAt());
        writeInstant(out, s.updatedAt());
        writeVarLong(out, s.version());
        writeVarLong(out, s.steps().size());
        for (Step step : s.steps()) {
            writeString(out, step.name());
            out.writeByte(code(STEP_STATUS, step.status()));
            out.writeBoolean(step.durationMs() != null);
            if (step.durationMs() != null) {
                writeVarLong(out, step.durationMs());
            }
            writeString(out, step.error());
            writeInstant(out, step.startedAt());
            writeInstant(out, step.endedAt());
        }
    }

    @Override
    public WorkflowState read(DataInput in, int format) throws IOException {
        if (format != V1) {
            throw new IOException("unknown workflow state format " + format);
        }
        String id = readString(in);
        Status status = decode(STATUS, in.readByte());
        String name = readString(in);
        String organization = readString(in);
        String user = readString(in);
        String current = readString(in);
        String error = readString(in);
        String reason = readString(in);
        Instant startedAt = readInstant(in);
        Instant endedAt = readInstant(in);
        Instant updatedAt = readInstant(in);
        long version = readVarLong(in);
        long count = readVarLong(in);
        if (count < 0 || count > Workflows.MAX_STEPS) {
            throw new IOException("workflow state with " + count + " steps");
        }
        List<Step> steps = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            String stepName = readString(in);
            StepStatus stepStatus = decode(STEP_STATUS, in.readByte());
            Long duration = in.readBoolean() ? readVarLong(in) : null;
            steps.add(new Step(stepName, stepStatus, duration, readString(in), readInstant(in), readInstant(in)));
        }
        return new WorkflowState(id, status, name, organization, user, current, steps, error, reason, startedAt,
                endedAt, updatedAt, version);
    }

    private static <T> int code(T[] table, T value) {
        for (int i = 0; i < table.length; i++) {
            if (table[i] == value) {
                return i;
            }
        }
        throw new IllegalArgumentException("no code for " + value);
    }

    private static <T> T decode(T[] table, byte code) throws IOException {
        if (code < 0 || code >= table.length) {
            throw new IOException("unknown status code " + code);
        }
        return table[code];
    }

    private static void writeString(DataOutput out, String s) throws IOException {
        if (s == null) {
            writeUnsigned(out, 0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeUnsigned(out, b.length + 1L);
        out.write(b);
    }

    private static String readString(DataInput in) throws IOException {
        long n = readUnsigned(in);
        if (n == 0) {
            return null;
        }
        if (n - 1 > Integer.MAX_VALUE - 8) {
            throw new IOException("string of " + (n - 1) + " bytes");
        }
        byte[] b = new byte[(int) (n - 1)];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void writeInstant(DataOutput out, Instant t) throws IOException {
        out.writeBoolean(t != null);
        if (t != null) {
            writeVarLong(out, t.toEpochMilli());
        }
    }

    private static Instant readInstant(DataInput in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochMilli(readVarLong(in)) : null;
    }

    private static void writeVarLong(DataOutput out, long v) throws IOException {
        writeUnsigned(out, (v << 1) ^ (v >> 63));
    }

    private static long readVarLong(DataInput in) throws IOException {
        long z = readUnsigned(in);
        return (z >>> 1) ^ -(z & 1);
    }

    private static void writeUnsigned(DataOutput out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static long readUnsigned(DataInput in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.readByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("malformed variable-length number");
    }
}
