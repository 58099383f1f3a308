package dev.flow.submitter.health;

import dev.flow.mithril.client.MithrilClient;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/**
 * Ready only when Mithril answers: the submitter cannot place or cancel bids without it. A cheap authenticated call
 * ({@code GET /v2/projects}), so a wrong API key shows here too. Kafka and the database have Quarkus's own checks.
 */
@Readiness
@ApplicationScoped
public class MithrilReadinessCheck implements AsyncHealthCheck {

    private final MithrilClient mithril;

    public MithrilReadinessCheck(MithrilClient mithril) {
        this.mithril = mithril;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return mithril.projects()
                .ifNoItem().after(Duration.ofSeconds(5)).fail()
                .map(projects -> HealthCheckResponse.named("mithril").up()
                        .withData("projects", projects.size()).build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named("mithril").down()
                        .withData("error", failure.getClass().getSimpleName()).build());
    }
}
