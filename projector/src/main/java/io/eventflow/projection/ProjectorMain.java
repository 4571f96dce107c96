package io.eventflow.projection;

import io.eventflow.eventstore.ServiceMetrics;
import io.eventflow.eventstore.Health;
import io.eventflow.eventstore.PrometheusEndpoint;
import io.eventflow.eventstore.ServiceConfigLoader;
import io.eventflow.eventstore.StartupFailures;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar projector.jar [config.properties]}; environment variables override the file.
 * Serves {@code /metrics}, {@code /health/live} and {@code /health/ready} on {@code metrics.port}
 * (see {@link Projector#health}). Exits with status 1, after closing the endpoint, if it cannot
 * start (invalid configuration, Elasticsearch or Kafka unreachable or refusing the set-up) or if
 * the projection stops on an error, an infrastructure fault that outlasted
 * {@code infrastructure.retry.timeout.ms} included (logged at ERROR with the fault), so a
 * supervisor restarts it (uncommitted events are then read again).
 */
public final class ProjectorMain {
    private static final Logger log = LoggerFactory.getLogger(ProjectorMain.class);

    private ProjectorMain() {
    }

    public static void main(String[] args) {
        Optional<PrometheusEndpoint> endpoint = Optional.empty();
        try {
            ProjectorConfig config = new ProjectorConfig(
                    ServiceConfigLoader.load(ProjectorConfig.configDef(), args, System.getenv()));
            PrometheusMeterRegistry metrics = ServiceMetrics.prometheus();
            AtomicReference<Projector> started = new AtomicReference<>();
            endpoint = PrometheusEndpoint.startUnlessDisabled(metrics, config.getInt(ProjectorConfig.METRICS_PORT),
                    () -> {
                        Projector p = started.get();
                        return p == null ? Health.notReady("starting: setting up the indices and topics") : p.health();
                    });
            Projector projector = Projector.start(config, metrics);
            started.set(projector);
            AtomicBoolean shuttingDown = new AtomicBoolean();
            Optional<PrometheusEndpoint> served = endpoint;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                shuttingDown.set(true);
                projector.close();
                served.ifPresent(PrometheusEndpoint::close);
            }, "shutdown"));
            while (projector.isRunning()) {
                Thread.sleep(1_000);
            }
            if (shuttingDown.get()) {
                return;
            }
            log.error("projector stopped on an error: {}; exiting with status 1",
                    projector.health().reason());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.error("projector interrupted; exiting with status 1");
        } catch (Throwable e) {
            // The endpoint's dispatcher thread is not a daemon: without the exit below, a projector that
            // could not start would stay alive doing nothing.
            log.error("projector could not start: {}; exiting with status 1", e.toString(), e);
            System.err.println("projector cannot start: " + StartupFailures.explain(e));
        }
        endpoint.ifPresent(PrometheusEndpoint::close);
        System.exit(1);
    }
}
