package io.eventflow.query;

import io.eventflow.eventstore.ServiceConfigLoader;
import org.slf4j.LoggerFactory;

/** {@code java -jar analytics-api.jar [config.properties]}; environment variables override the file. */
public final class AnalyticsApiMain {
    private AnalyticsApiMain() {
    }

    /** Exits 1, naming the cause, when the API cannot start (bad configuration, refused credentials...). */
    public static void main(String[] args) {
        AnalyticsApi api;
        try {
            AnalyticsApiConfig config = new AnalyticsApiConfig(
                    ServiceConfigLoader.load(AnalyticsApiConfig.configDef(), args, System.getenv()));
            api = AnalyticsApi.start(config);
        } catch (Exception e) {
            LoggerFactory.getLogger(AnalyticsApiMain.class).error("analytics-api cannot start: {}", e.getMessage(), e);
            System.err.println("analytics-api cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(api::close, "shutdown"));
    }
}
