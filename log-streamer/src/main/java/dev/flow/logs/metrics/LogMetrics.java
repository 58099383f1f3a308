package dev.flow.logs.metrics;

import dev.flow.logs.service.LiveLogHub;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/** The log-streamer's gauges (docs/metrics.md). */
@Startup
@ApplicationScoped
public class LogMetrics {

    public LogMetrics(MeterRegistry registry, LiveLogHub hub) {
        // every following view (WebSocket or SSE) holds one hub subscription while it is connected
        Gauge.builder("flow.logs.viewers", hub, LiveLogHub::subscriptions)
                .description("Viewers following a task's log live on this replica (WebSocket and SSE)")
                .register(registry);
    }
}
