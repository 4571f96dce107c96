package io.eventflow.projection;

import io.eventflow.eventstore.PrometheusEndpoint;
import io.eventflow.eventstore.ServiceConfigLoader;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar projector.jar [config.properties]}; environment variables override the file.
 * Exits with status 1 if the projection stops on an error, an infrastructure fault that outlasted
 * {@code infrastructure.retry.timeout.ms} included (logged at ERROR with the fault), so a
 * supervisor restarts it (uncommitted events are then read again).
 */
public final class ProjectorMain {
    private ProjectorMain() {
    }

    public static void main(String[] args) throws Exception {
        ProjectorConfig config = new ProjectorConfig(
                ServiceConfigLoader.load(ProjectorConfig.configDef(), args, System.getenv()));
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var endpoint = PrometheusEndpoint.startUnlessDisabled(metrics, config.getInt(ProjectorConfig.METRICS_PORT));
        Projector projector;
        try {
            projector = Projector.start(config, metrics);
        } catch (RuntimeException e) {
            // e.g. an events topic that does not keep its history: say why, and exit non-zero even
            // though the metrics endpoint's thread would keep the JVM alive
            LoggerFactory.getLogger(ProjectorMain.class).error("projector cannot start", e);
            System.err.println("projector cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        AtomicBoolean shuttingDown = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shuttingDown.set(true);
            projector.close();
            endpoint.ifPresent(PrometheusEndpoint::close);
        }, "shutdown"));
        while (projector.isRunning()) {
            Thread.sleep(1_000);
        }
        if (!shuttingDown.get()) {
            LoggerFactory.getLogger(ProjectorMain.class).error(
                    "projector stopped on an error (logged above); exiting with status 1");
            System.exit(1);
        }
    }
}
