package io.eventflow.projection.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The projector's meters in Prometheus names: counters end in _total, latencies are histograms that aggregate. */
class ProjectorMetricsTest {

    @Test
    void theMetersFollowPrometheusConventions() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProjectorMetrics metrics = new ProjectorMetrics(registry);
        metrics.indexed(3);
        metrics.deadLettered();
        metrics.gaps(1);
        metrics.integrityError("events");
        metrics.retry("429");
        metrics.noop("events", 1);
        metrics.bulk(5_000_000);
        metrics.batchClosed(2, 1024);
        metrics.lag(new TopicPartition("payment-events", 0)).records.set(7);

        String scrape = registry.scrape();

        assertThat(scrape).contains("eventflow_projector_events_indexed_total 3.0",
                "eventflow_projector_dead_lettered_total 1.0", "eventflow_projector_gaps_total 1.0",
                "eventflow_projector_integrity_errors_total{index=\"events\"} 1.0",
                "eventflow_projector_retries_total{cause=\"429\"} 1.0", "eventflow_projector_noops_total{index=\"events\"} 1.0",
                "eventflow_projector_bulk_latency_seconds_bucket{le=", "eventflow_projector_bulk_latency_seconds_count 1",
                "eventflow_projector_bulk_bytes_sum 1024.0", "eventflow_projector_bulk_events_sum 2.0",
                "eventflow_projector_lag_records{partition=\"0\",topic=\"payment-events\"} 7.0",
                "eventflow_projector_lag_seconds{partition=\"0\",topic=\"payment-events\"} 0.0");
        assertThat(scrape).as("client-side percentiles do not aggregate across instances").doesNotContain("quantile=");
        List<String> counters = Arrays.stream(scrape.split("\n")).filter(l -> l.startsWith("# TYPE eventflow_"))
                .filter(l -> l.endsWith(" counter")).toList();
        assertThat(counters).isNotEmpty().allSatisfy(l -> assertThat(l).endsWith("_total counter"));
    }
}
