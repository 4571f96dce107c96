package io.eventflow.command.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventflow.payments.PaymentState;
import io.eventflow.command.pipeline.AggregateRecord.ProcessedCommand;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AggregateRecordSerdeTest {
    @Test
    void roundTripsEveryFieldIncludingNulls() {
        var record = new AggregateRecord(
                PaymentsTopology.state("p-1", PaymentState.Status.PROCESSED, 500, "EUR", null, "u-ü", 100, 3),
                List.of(new ProcessedCommand("c-1", "corr", 1_000L, true, 1L, null, null, null, null),
                        new ProcessedCommand("c-2", "corr", 2_000L, false, null, "CONCURRENCY_CONFLICT", "expected 0", 0L, 1L)));

        assertThat(PaymentsTopology.SERDE.decode(PaymentsTopology.SERDE.encode(record))).isEqualTo(record);
        var initial = AggregateRecord.of(PaymentState.initial("p-2"));
        assertThat(PaymentsTopology.SERDE.decode(PaymentsTopology.SERDE.encode(initial))).isEqualTo(initial);
    }

    @Test
    void anUnknownFormatVersionIsAClearError() {
        assertThatThrownBy(() -> PaymentsTopology.SERDE.decode(new byte[] {9, 0}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("format version 9");
    }
}
