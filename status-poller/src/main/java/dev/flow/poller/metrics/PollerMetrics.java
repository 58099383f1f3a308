package dev.flow.poller.metrics;

import dev.flow.poller.config.PollerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The configured polling interval as a gauge, so that an alert can compare the cycle time
 * ({@code flow_poller_cycle_duration_seconds_max}, StatusPoller) with it without repeating the setting in the rule:
 * a cycle longer than the interval means the poller no longer keeps its promise of fresh statuses.
 */
@Startup
@ApplicationScoped
public class PollerMetrics {

    public PollerMetrics(MeterRegistry registry, PollerConfig config) {
        Gauge.builder("flow.poller.interval", config, c -> c.interval().toMillis() / 1000.0).baseUnit("seconds")
                .description("The configured (short) polling interval, flow.poller.interval").register(registry);
    }
}
