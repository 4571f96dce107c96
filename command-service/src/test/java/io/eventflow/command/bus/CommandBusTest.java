package io.eventflow.command.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandBusTest {
    private static CommandMessage<Object> message(Object payload) {
        return new CommandMessage<>("c-1", "a-1", "corr-1", null, "org-1", null, payload);
    }

    @Test
    void dispatchesByTypeAndRefusesADuplicateRegistration() {
        CommandBus<String, Object, String> bus = new CommandBus<String, Object, String>()
                .register(Integer.class, (s, c) -> s + c);

        assertThat(bus.dispatch("n=", message(7))).isEqualTo("n=7");
        assertThatThrownBy(() -> bus.register(Integer.class, (s, c) -> s))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("java.lang.Integer");
        assertThatThrownBy(() -> bus.dispatch("x", message("a string"))).isInstanceOf(NoHandlerException.class);
    }

    @Test
    void middlewareRunsAroundTheHandlerInRegistrationOrderAndMayAnswerByItself() {
        List<String> calls = new ArrayList<>();
        CommandBus<String, Object, String> bus = new CommandBus<String, Object, String>()
                .use((s, m, next) -> {
                    calls.add("outer>");
                    String r = next.handle(s, m);
                    calls.add("<outer");
                    return r;
                })
                .use((s, m, next) -> m.payload().equals(0) ? "refused" : next.handle(s, m))
                .register(Integer.class, (s, c) -> {
                    calls.add("handler");
                    return "ok";
                });

        assertThat(bus.dispatch("s", message(1))).isEqualTo("ok");
        assertThat(bus.dispatch("s", message(0))).isEqualTo("refused");
        assertThat(calls).containsExactly("outer>", "handler", "<outer", "outer>", "<outer");
    }

    @Test
    void metricsCountOutcomesByReasonAndTimeThem() {
        var registry = new SimpleMeterRegistry();
        CommandBus<String, Object, String> bus = new CommandBus<String, Object, String>()
                .use(new MetricsMiddleware<>(registry, r -> r.equals("ok") ? Outcome.ACCEPTED : Outcome.rejected(r)))
                .register(Integer.class, (s, c) -> c > 0 ? "ok" : "NEGATIVE");

        bus.dispatch("s", message(1));
        bus.dispatch("s", message(-1));
        bus.dispatch("s", message(-2));

        assertThat(registry.get(MetricsMiddleware.TIMER).tag("outcome", "accepted").timer().count()).isEqualTo(1);
        assertThat(registry.get(MetricsMiddleware.TIMER).tag("outcome", "rejected").tag("reason", "NEGATIVE")
                .timer().count()).isEqualTo(2);
    }

    @Test
    void theTimerIsAPrometheusHistogramThatAggregatesAcrossInstances() {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CommandBus<String, Object, String> bus = new CommandBus<String, Object, String>()
                .use(new MetricsMiddleware<>(registry, r -> Outcome.ACCEPTED))
                .register(Integer.class, (s, c) -> "ok");

        bus.dispatch("s", message(1));

        assertThat(registry.scrape()).contains("eventflow_commands_seconds_bucket{", "eventflow_commands_seconds_count{")
                .doesNotContain("quantile=");
    }
}
