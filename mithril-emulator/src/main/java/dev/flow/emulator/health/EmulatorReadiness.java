package dev.flow.emulator.health;

import dev.flow.emulator.service.EmulatorEngine;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the engine answers (its catalog is built at construction). */
@Readiness
@ApplicationScoped
public class EmulatorReadiness implements HealthCheck {

    private final EmulatorEngine engine;

    public EmulatorReadiness(EmulatorEngine engine) {
        this.engine = engine;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("mithril-emulator").status(!engine.availability().isEmpty())
                .withData("auction_interval_ms", engine.settings().auctionIntervalMillis()).build();
    }
}
