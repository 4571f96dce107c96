package io.eventflow.command.bus;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.function.Function;

/**
 * Times every command into the timer {@code eventflow.commands}, tagged with the command type, the
 * outcome ({@code accepted}, {@code rejected}, {@code error}) and the rejection reason. Its count
 * is the number of commands by outcome and reason. Thread-safe.
 */
public final class MetricsMiddleware<S, C, R> implements Middleware<S, C, R> {
    public static final String TIMER = "eventflow.commands";

    private final MeterRegistry registry;
    private final Function<? super R, Outcome> classifier;

    public MetricsMiddleware(MeterRegistry registry, Function<? super R, Outcome> classifier) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
    }

    @Override
    public R handle(S state, CommandMessage<? extends C> message, Next<S, C, R> next) {
        long start = System.nanoTime();
        String type = message.payload().getClass().getSimpleName();
        Outcome outcome = new Outcome("error", "exception");
        try {
            R result = next.handle(state, message);
            outcome = classifier.apply(result);
            return result;
        } finally {
            Timer.builder(TIMER).description("Commands handled, by type, outcome and rejection reason")
                    .tag("type", type).tag("outcome", outcome.status()).tag("reason", outcome.reason())
                    .register(registry).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }
}
