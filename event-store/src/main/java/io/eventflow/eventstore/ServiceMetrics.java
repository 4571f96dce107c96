package io.eventflow.eventstore;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The registry every service's {@code /metrics} is scraped from, with Micrometer's JVM and process
 * binders bound: memory and buffer pools, GC pauses and heap pressure, threads, classes, CPU,
 * uptime and file descriptors, in Prometheus names ({@code jvm_memory_used_bytes},
 * {@code jvm_gc_pause_seconds}, {@code process_cpu_usage}, ...). The GC binders live as long as
 * the process. Thread-safe.
 */
public final class ServiceMetrics {
    private ServiceMetrics() {
    }

    /** A new Prometheus registry with the JVM and process metrics bound. */
    @SuppressWarnings("resource") // the GC binders listen for the life of the process
    public static PrometheusMeterRegistry prometheus() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmHeapPressureMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        return registry;
    }
}
