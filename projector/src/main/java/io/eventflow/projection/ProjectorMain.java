package io.eventflow.projection;

import io.eventflow.eventstore.PrometheusEndpoint;
import io.eventflow.eventstore.ServiceConfigLoader;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar projector.jar [config.properties]}; environment variables override the file.
 * Exits with status 1 if the projection stops on an unexpected error, so a supervisor restarts it
 * (uncommitted events are then read again).
 */
public final class ProjectorMain {
    private static final Logger log = LoggerFactory.getLogger(ProjectorMain.class);

    private ProjectorMain() {
    }

    public static void main(String[] args) throws Exception {
        ProjectorConfig config = new ProjectorConfig(
                ServiceConfigLoader.load(ProjectorConfig.configDef(), args, System.getenv()));
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        int metricsPort = config.getInt(ProjectorConfig.METRICS_PORT);
        PrometheusEndpoint endpoint = metricsPort < 0 ? null : PrometheusEndpoint.start(metrics, metricsPort);
        if (endpoint != null) {
            log.info("metrics at http://0.0.0.0:{}/metrics", endpoint.port());
        }
        Projector projector = Projector.start(config, metrics);
        AtomicBoolean shuttingDown = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shuttingDown.set(true);
            projector.close();
            if (endpoint != null) {
                endpoint.close();
            }
        }, "shutdown"));
        while (projector.isRunning()) {
            Thread.sleep(1_000);
        }
        if (!shuttingDown.get()) {
            System.exit(1);
        }
    }
}
