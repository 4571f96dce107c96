package io.eventflow.command;

import io.eventflow.eventstore.ServiceConfigLoader;
import io.eventflow.eventstore.PrometheusEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.LoggerFactory;

/** {@code java -jar command-service.jar [config.properties]}; environment variables override the file. */
public final class CommandServiceMain {
    private CommandServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandServiceConfig config = new CommandServiceConfig(
                ServiceConfigLoader.load(CommandServiceConfig.configDef(), args, System.getenv()));
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var endpoint = PrometheusEndpoint.startUnlessDisabled(metrics, config.getInt(CommandServiceConfig.METRICS_PORT));
        CommandService service;
        try {
            service = CommandService.start(config, Clock.systemUTC(), metrics);
        } catch (RuntimeException e) {
            // e.g. an events topic that does not keep its history: say why, and exit non-zero even
            // though the metrics endpoint's thread would keep the JVM alive
            LoggerFactory.getLogger(CommandServiceMain.class).error("command-service cannot start", e);
            System.err.println("command-service cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            endpoint.ifPresent(PrometheusEndpoint::close);
        }, "shutdown"));
        service.awaitTermination();
        if (service.state() == KafkaStreams.State.ERROR) {
            // Exit non-zero so a supervisor sees the failure; the reason was logged as "STOPPING ...".
            System.err.println("command-service stopped after a fatal error; see the log above");
            System.exit(1);
        }
    }
}
