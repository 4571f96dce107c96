package io.eventflow.command;

import io.eventflow.eventstore.ServiceConfigLoader;
import io.eventflow.eventstore.PrometheusEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar command-service.jar [config.properties]}; environment variables override the file. */
public final class CommandServiceMain {
    private static final Logger log = LoggerFactory.getLogger(CommandServiceMain.class);

    private CommandServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandServiceConfig config = new CommandServiceConfig(
                ServiceConfigLoader.load(CommandServiceConfig.configDef(), args, System.getenv()));
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        int metricsPort = config.getInt(CommandServiceConfig.METRICS_PORT);
        PrometheusEndpoint endpoint = metricsPort < 0 ? null : PrometheusEndpoint.start(metrics, metricsPort);
        if (endpoint != null) {
            log.info("metrics at http://0.0.0.0:{}/metrics", endpoint.port());
        }
        CommandService service = CommandService.start(config, Clock.systemUTC(), metrics);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            if (endpoint != null) {
                endpoint.close();
            }
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }
}
