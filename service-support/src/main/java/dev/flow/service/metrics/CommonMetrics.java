package dev.flow.service.metrics;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What every service's {@code /q/metrics} has in common: each series carries {@code service} (the application name),
 * so one Prometheus query covers all services and still tells them apart. Quarkus applies every {@link MeterFilter}
 * bean to its registries. The platform's own meters are named {@code flow.<area>.<what>} (Prometheus:
 * {@code flow_<area>_<what>}, counters with {@code _total}); docs/metrics.md lists them.
 */
@Singleton
public class CommonMetrics {

    @Produces
    @Singleton
    MeterFilter commonTags(@ConfigProperty(name = "quarkus.application.name") String service) {
        return MeterFilter.commonTags(Tags.of("service", service));
    }
}
