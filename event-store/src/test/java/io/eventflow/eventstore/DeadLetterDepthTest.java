package io.eventflow.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Without a broker: the gauges exist at once, NaN, a scrape never waits, and closing unbinds everything. */
@Timeout(30)
class DeadLetterDepthTest {

    @Test
    void aScrapeDoesNotWaitForKafkaAndClosingRemovesTheMeters() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        int before = registry.getMeters().size();
        DeadLetterDepth depth = DeadLetterDepth.start(Map.of("bootstrap.servers", "127.0.0.1:1"),
                List.of("a-dlq", "b-dlq"), Duration.ofSeconds(1), registry);
        try {
            long start = System.nanoTime();
            String scrape = registry.scrape();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(scrape).contains("eventflow_dead_letter_records{topic=\"a-dlq\"} NaN",
                    "eventflow_dead_letter_records{topic=\"b-dlq\"} NaN", "kafka_admin_client_");
            assertThat(depth.depth("a-dlq")).isNaN();
        } finally {
            depth.close();
        }
        assertThat(registry.getMeters()).hasSize(before);
    }
}
