package io.eventflow.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServiceMetricsTest {
    @Test
    void theScrapeHasTheJvmAndProcessMetricsInPrometheusNames() {
        String scrape = ServiceMetrics.prometheus().scrape();
        assertThat(scrape).contains("jvm_memory_used_bytes{", "jvm_threads_live_threads ", "jvm_classes_loaded_classes ",
                "process_cpu_usage ", "process_uptime_seconds ", "system_cpu_count ", "jvm_gc_overhead ");
    }
}
