package io.eventflow.command.bus;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Times every command into the timer {@code eventflow.commands} (Prometheus
 * {@code eventflow_commands_seconds}, a histogram), tagged with the command type, the outcome
 * ({@code accepted}, {@code rejected}, {@code error}) and the rejection reason. Its count is the
 * number of commands by outcome and reason. Thread-safe.
 */
public final class MetricsMiddleware<S, C, R> implements Middleware<S, C, R> {
    public static final String TIMER = "eventflow.commands";
    private static final Outcome ERROR = new Outcome("error", "exception");

    private final MeterRegistry registry;
    private final Function<? super R, Outcome> classifier;
    // Looking a timer up in the registry per command costs more than recording into it.
    private final Map<Class<?>, Map<Outcome, Timer>> timers = new ConcurrentHashMap<>();

    public MetricsMiddleware(MeterRegistry registry, Function<? super R, Outcome> classifier) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
    }

    private Timer timer(Class<?> type, Outcome outcome) {
        return timers.computeIfAbsent(type, t -> new ConcurrentHashMap<>()).computeIfAbsent(outcome, o ->
                Timer.builder(TIMER).description("Commands handled, by type, outcome and rejection reason")
                        .tag("type", type.getSimpleName()).tag("outcome", o.status()).tag("reason", o.reason())
                        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                        .maximumExpectedValue(Duration.ofSeconds(10)).register(registry));
    }

    @Override
    public R handle(S state, CommandMessage<? extends C> message, Next<S, C, R> next) {
        long start = System.nanoTime();
        Outcome outcome = ERROR;
        try {
            R result = next.handle(state, message);
            outcome = classifier.apply(result);
            return result;
        } finally {
            timer(message.payload().getClass(), outcome).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }
}
