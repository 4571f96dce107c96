package io.eventflow.command.pipeline;

import io.eventflow.command.bus.CommandBus;
import io.eventflow.command.payment.Decision;
import io.eventflow.command.payment.PaymentCommand;
import io.eventflow.command.payment.PaymentState;
import io.eventflow.schemas.CommandEnvelope;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;

/** The parts every {@link CommandProcessor} shares; all thread-safe, built once per service. */
record CommandProcessing(
        Deserializer<CommandEnvelope> decoder,
        CommandBus<PaymentState, PaymentCommand, Decision> bus,
        Hydration hydration,
        TransientRetry retry,
        Idempotency idempotency,
        Clock clock,
        MeterRegistry metrics) {

    CommandProcessing {
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(bus, "bus");
        Objects.requireNonNull(hydration, "hydration");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(idempotency, "idempotency");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(metrics, "metrics");
    }
}
