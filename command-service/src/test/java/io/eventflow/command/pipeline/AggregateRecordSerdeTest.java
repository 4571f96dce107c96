package io.eventflow.command.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventflow.payments.PaymentState;
import io.eventflow.command.pipeline.AggregateRecord.ProcessedCommand;
import io.eventflow.payments.Payments;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AggregateRecordSerdeTest {
    @Test
    void roundTripsEveryFieldIncludingNulls() {
        var record = new AggregateRecord<>(
                PaymentsTopology.state("p-1", PaymentState.Status.PROCESSED, 500, "EUR", null, "u-ü", 100, 3),
                List.of(new ProcessedCommand("c-1", "corr", 1_000L, true, 1L, null, null, null, null),
                        new ProcessedCommand("c-2", "corr", 2_000L, false, null, "CONCURRENCY_CONFLICT", "expected 0", 0L, 1L)));

        assertThat(PaymentsTopology.SERDE.decode(PaymentsTopology.SERDE.encode(record))).isEqualTo(record);
        var initial = AggregateRecord.of(PaymentState.initial("p-2"));
        assertThat(PaymentsTopology.SERDE.decode(PaymentsTopology.SERDE.encode(initial))).isEqualTo(initial);
    }

    /**
     * A payment record as the release before aggregate types wrote it (format byte 1, the state
     * inline: paymentId, status, amount, currency, organizationId, userId, refundedTotal, version),
     * built by hand with that encoder's rules. Changelogs hold such records; they must still decode.
     */
    @Test
    void decodesPaymentRecordsWrittenBeforeAggregateTypes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(1);
        writeString(out, "p-1");
        writeString(out, "PROCESSED");
        out.writeLong(500);
        writeString(out, "EUR");
        writeString(out, "org-1");
        writeString(out, null);
        out.writeLong(100);
        out.writeLong(3);
        out.writeInt(2);
        // accepted: commandId, correlationId, processedAt, accepted, version, reason, message, expected, actual
        writeString(out, "c-1");
        writeString(out, "corr");
        out.writeLong(1_000L);
        out.writeBoolean(true);
        out.writeBoolean(true);
        out.writeLong(1L);
        writeString(out, null);
        writeString(out, null);
        out.writeBoolean(false);
        out.writeBoolean(false);
        writeString(out, "c-2");
        writeString(out, "corr");
        out.writeLong(2_000L);
        out.writeBoolean(false);
        out.writeBoolean(false);
        writeString(out, "CONCURRENCY_CONFLICT");
        writeString(out, "expected 0");
        out.writeBoolean(true);
        out.writeLong(0L);
        out.writeBoolean(true);
        out.writeLong(1L);

        AggregateRecord<PaymentState> decoded = PaymentsTopology.SERDE.decode(bytes.toByteArray());

        assertThat(decoded.state()).isEqualTo(
                PaymentsTopology.state("p-1", PaymentState.Status.PROCESSED, 500, "EUR", "org-1", null, 100, 3));
        assertThat(decoded.processed()).containsExactly(
                new ProcessedCommand("c-1", "corr", 1_000L, true, 1L, null, null, null, null),
                new ProcessedCommand("c-2", "corr", 2_000L, false, null, "CONCURRENCY_CONFLICT", "expected 0", 0L, 1L));
        // Written back in the current format, it reads the same.
        byte[] again = PaymentsTopology.SERDE.encode(decoded);
        assertThat(again[0]).isEqualTo((byte) Payments.TYPE.stateCodec().format());
        assertThat(PaymentsTopology.SERDE.decode(again)).isEqualTo(decoded);
    }

    @Test
    void theByteBudgetCountsTheCodecsBytes() {
        var state = PaymentsTopology.state("p-1", PaymentState.Status.PROCESSED, 500, "EUR", "org-1", "u-1", 0, 1);
        assertThat(PaymentsTopology.SERDE.encodedSize(state))
                .isEqualTo(PaymentsTopology.SERDE.encode(AggregateRecord.of(state)).length);
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

    @Test
    void anUnknownFormatVersionIsAClearError() {
        assertThatThrownBy(() -> PaymentsTopology.SERDE.decode(new byte[] {9, 0}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("format version 9");
    }
}
