package dev.flow.submitter.health;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Mithril in the submitter's health, from {@link MithrilHealth}'s last observation (no call per probe).
 * Readiness stays UP while Mithril is down, with {@code mithril: degraded}: the pod still serves reads, status
 * streams and the outbox, and a submit or cancel answers a clear 503 with a suggestion; taking every replica out
 * of the load balancer would serve nothing at all. Wellness ({@code /q/health/well}) is DOWN then, for alerts.
 */
public final class MithrilHealthChecks {

    private MithrilHealthChecks() {
    }

    static HealthCheckResponseBuilder describe(MithrilHealth health) {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("mithril");
        return health.last().map(observation -> response
                        .withData("mithril", observation.up() ? "up" : "degraded")
                        .withData("checked_at", observation.at().toString())
                        .withData("error", observation.error().orElse("")))
                .orElseGet(() -> response.withData("mithril", "unknown"));
    }

    /** Ready whatever Mithril does; the data says how it was last seen. */
    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        private final MithrilHealth health;

        public Ready(MithrilHealth health) {
            this.health = health;
        }

        @Override
        public HealthCheckResponse call() {
            return describe(health).up().build();
        }
    }

    /** Well only while Mithril answered last time (unknown before the first probe counts as well). */
    @Wellness
    @ApplicationScoped
    public static class Well implements HealthCheck {
        private final MithrilHealth health;

        public Well(MithrilHealth health) {
            this.health = health;
        }

        @Override
        public HealthCheckResponse call() {
            boolean down = health.last().map(observation -> !observation.up()).orElse(false);
            return describe(health).status(!down).build();
        }
    }
}
