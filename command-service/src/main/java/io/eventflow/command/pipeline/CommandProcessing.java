package io.eventflow.command.pipeline;

import io.eventflow.aggregate.AggregateType;
import io.eventflow.aggregate.Decision;
import io.eventflow.command.bus.CommandBus;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.avro.specific.SpecificRecord;

/**
 * The parts every {@link CommandProcessor} of one aggregate type shares; all thread-safe, built
 * once per service and type.
 *
 * @param decoder decodes the type's command envelope ({@code avro().commandEnvelope()})
 * @param nodes the names of the type's store and sinks in the topology
 */
record CommandProcessing<S, C, E>(
        AggregateType<S, C, E> type,
        Deserializer<? extends SpecificRecord> decoder,
        CommandBus<S, C, Decision<E>> bus,
        Hydration<S> hydration,
        AggregateRecordSerde<S> serde,
        Nodes nodes,
        TransientRetry retry,
        Idempotency idempotency,
        Clock clock,
        MeterRegistry metrics) {

    /** Where one type's processor keeps its state and sends its outputs. */
    record Nodes(String store, String eventsSink, String resultsSink, String deadLetterSink) {
    }

    CommandProcessing {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(bus, "bus");
        Objects.requireNonNull(hydration, "hydration");
        Objects.requireNonNull(serde, "serde");
        Objects.requireNonNull(nodes, "nodes");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(idempotency, "idempotency");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(metrics, "metrics");
    }
}
