package io.eventflow.query;

import io.eventflow.eventstore.ServiceConfigLoader;

/** {@code java -jar analytics-api.jar [config.properties]}; environment variables override the file. */
public final class AnalyticsApiMain {
    private AnalyticsApiMain() {
    }

    public static void main(String[] args) throws Exception {
        AnalyticsApiConfig config = new AnalyticsApiConfig(
                ServiceConfigLoader.load(AnalyticsApiConfig.configDef(), args, System.getenv()));
        AnalyticsApi api = AnalyticsApi.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(api::close, "shutdown"));
    }
}
