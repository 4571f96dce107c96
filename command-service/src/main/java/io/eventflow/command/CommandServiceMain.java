package io.eventflow.command;

import io.eventflow.eventstore.ServiceMetrics;
import io.eventflow.eventstore.Health;
import io.eventflow.eventstore.PrometheusEndpoint;
import io.eventflow.eventstore.ServiceConfigLoader;
import io.eventflow.eventstore.StartupFailures;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar command-service.jar [config.properties]}; environment variables override the file.
 * Exits 0 when stopped by a signal, 1 when the service cannot start or its processing died (a Kafka
 * Streams ERROR, failures past infrastructure.retry.timeout.ms, local state that cannot be restored),
 * so a supervisor restarts it. Local state that cannot be opened is wiped and restored from its
 * changelog once per start before that.
 */
public final class CommandServiceMain {
    private static final Logger log = LoggerFactory.getLogger(CommandServiceMain.class);

    private CommandServiceMain() {
    }

    public static void main(String[] args) {
        Optional<PrometheusEndpoint> endpoint = Optional.empty();
        try {
            CommandServiceConfig config = new CommandServiceConfig(
                    ServiceConfigLoader.load(CommandServiceConfig.configDef(), args, System.getenv(),
                            org.apache.kafka.streams.StreamsConfig.configDef().names()));
            PrometheusMeterRegistry metrics = ServiceMetrics.prometheus();
            AtomicReference<CommandService> current = new AtomicReference<>();
            endpoint = PrometheusEndpoint.startUnlessDisabled(metrics, config.getInt(CommandServiceConfig.METRICS_PORT),
                    () -> {
                        CommandService s = current.get();
                        return s == null ? Health.notReady("starting") : s.health();
                    });
            Optional<PrometheusEndpoint> served = endpoint;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                CommandService s = current.get();
                if (s != null) {
                    s.close();
                }
                served.ifPresent(PrometheusEndpoint::close);
            }, "shutdown"));
            boolean restored = false;
            while (true) {
                CommandService service;
                try {
                    service = CommandService.start(config, Clock.systemUTC(), metrics);
                } catch (RuntimeException e) {
                    // e.g. an events topic that does not keep its history
                    fail("command-service cannot start: " + StartupFailures.explain(e), e);
                    return;
                }
                current.set(service);
                service.awaitTermination();
                if (service.state() != KafkaStreams.State.ERROR) {
                    return; // closed by the shutdown hook
                }
                if (service.localStateBroken() && !restored) {
                    log.warn("the local state in {} cannot be used ({}); wiping it and restoring it from the changelog",
                            config.getString(CommandServiceConfig.STATE_DIR), service.lastFailure());
                    service.close();
                    service.wipeLocalState();
                    restored = true;
                    continue;
                }
                String why = service.localStateBroken()
                        ? "its local state could not be restored from the changelog: " + service.lastFailure()
                        : "a fatal error: " + service.lastFailure();
                fail("command-service stopped after " + why + " (see the log above)", null);
            }
        } catch (Throwable e) {
            fail("command-service failed: " + e, e);
        } finally {
            endpoint.ifPresent(PrometheusEndpoint::close);
        }
    }

    /** Exits 1, whatever threads are left (the metrics endpoint's dispatcher is not a daemon). */
    private static void fail(String message, Throwable e) {
        log.error(message, e);
        System.err.println(message);
        System.exit(1);
    }
}
