package io.eventflow.command;

import io.eventflow.eventstore.ServiceConfigLoader;
import io.eventflow.eventstore.PrometheusEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import org.apache.kafka.streams.KafkaStreams;

/** {@code java -jar command-service.jar [config.properties]}; environment variables override the file. */
public final class CommandServiceMain {
    private CommandServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandServiceConfig config = new CommandServiceConfig(
                ServiceConfigLoader.load(CommandServiceConfig.configDef(), args, System.getenv()));
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var endpoint = PrometheusEndpoint.startUnlessDisabled(metrics, config.getInt(CommandServiceConfig.METRICS_PORT));
        CommandService service = CommandService.start(config, Clock.systemUTC(), metrics);
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
