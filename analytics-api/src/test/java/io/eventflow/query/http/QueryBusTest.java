package io.eventflow.query.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventflow.query.auth.Tenant;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class QueryBusTest {
    private record ById(String id) {
    }

    private final AtomicReference<String> stored = new AtomicReference<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final QueryBus bus = new QueryBus(Duration.ofMinutes(5), 100, new SimpleMeterRegistry())
            .register(ById.class, (tenant, q) -> {
                calls.incrementAndGet();
                return Optional.ofNullable(stored.get());
            });

    @Test
    void aDocumentAskedForBeforeItWasIndexedIsFoundOnTheNextRequest() {
        Tenant tenant = Tenant.of("org-1");
        assertThat(bus.ask(tenant, new ById("p-1"))).isEmpty();

        stored.set("p-1 v1"); // the write became visible in Elasticsearch
        assertThat(bus.ask(tenant, new ById("p-1"))).contains("p-1 v1");
    }

    @Test
    void answersAreCachedPerTenant() {
        stored.set("p-1 v1");
        assertThat(bus.ask(Tenant.of("org-1"), new ById("p-1"))).contains("p-1 v1");
        assertThat(bus.ask(Tenant.of("org-1"), new ById("p-1"))).contains("p-1 v1");
        assertThat(calls).hasValue(1);

        assertThat(bus.ask(Tenant.of("org-2"), new ById("p-1"))).contains("p-1 v1");
        assertThat(calls).hasValue(2);
    }
}
