package io.eventflow.command;

import io.eventflow.eventstore.ServiceConfigLoader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar command-service.jar [config.properties]}; environment variables override the file. */
public final class CommandServiceMain {
    private CommandServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandServiceConfig config = new CommandServiceConfig(
                ServiceConfigLoader.load(CommandServiceConfig.configDef(), args, System.getenv()));
        CommandService service = CommandService.start(config, Clock.systemUTC(), new SimpleMeterRegistry());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }
}
