package dev.flow.submitter.health;

import dev.flow.submitter.repository.Lease;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Whether this instance holds the lease that runs the outbox relay and the sweepers ({@code active}), its own holder
 * id, and the holder it last saw. Always UP: a standby (the other pod of a rolling deploy) serves the API as well as
 * the holder; it only leaves the relay and the sweepers to the holder. The database's own check covers a lease that
 * cannot be renewed.
 */
@Readiness
@ApplicationScoped
public class LeaseReadinessCheck implements HealthCheck {

    private final Lease lease;

    public LeaseReadinessCheck(Lease lease) {
        this.lease = lease;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("lease").up()
                .withData("lease", lease.name())
                .withData("active", lease.held())
                .withData("instance", lease.holder());
        lease.seen().ifPresent(seen -> response
                .withData("holder", seen.holder().orElse(""))
                .withData("expires_at", seen.expiresAt().toString()));
        return response.build();
    }
}
