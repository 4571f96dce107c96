package io.eventflow.projection;

import io.eventflow.eventstore.ServiceConfigLoader;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar projector.jar [config.properties]}; environment variables override the file. */
public final class ProjectorMain {
    private ProjectorMain() {
    }

    public static void main(String[] args) throws Exception {
        ProjectorConfig config = new ProjectorConfig(
                ServiceConfigLoader.load(ProjectorConfig.configDef(), args, System.getenv()));
        Projector projector = Projector.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            projector.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }
}
