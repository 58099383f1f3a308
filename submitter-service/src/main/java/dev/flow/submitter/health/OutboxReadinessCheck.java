package dev.flow.submitter.health;

import dev.flow.submitter.messaging.OutboxRelay;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Shows how many outbox rows this replica set aside because Kafka could never take them ({@code dead_letters}). Stays
 * up: a set-aside row is an operator's matter, not a reason to stop serving; the rows stay in {@code submitter.outbox}
 * ({@code dead_at} not null) with their reason. {@code published}: rows this replica's relay published since it
 * started (0 on a replica that does not hold the lease).
 */
@Readiness
@ApplicationScoped
public class OutboxReadinessCheck implements HealthCheck {

    private final OutboxRelay relay;

    public OutboxReadinessCheck(OutboxRelay relay) {
        this.relay = relay;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("outbox").up().withData("dead_letters", relay.deadLetters())
                .withData("published", relay.published()).build();
    }
}
