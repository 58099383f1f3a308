package dev.flow.poller.health;

import dev.flow.poller.config.PollerConfig;
import dev.flow.poller.messaging.StateTopic;
import dev.flow.poller.service.StatusPoller;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the state was rebuilt from {@code flow.task.state} and Mithril answered in at least one of the last
 * {@code flow.poller.unhealthy-after-failed-cycles} cycles. (Kafka's own readiness comes from the messaging
 * extension.)
 */
@Readiness
@ApplicationScoped
public class MithrilReadiness implements HealthCheck {

    private final StatusPoller poller;
    private final StateTopic stateTopic;
    private final PollerConfig config;

    public MithrilReadiness(StatusPoller poller, StateTopic stateTopic, PollerConfig config) {
        this.poller = poller;
        this.stateTopic = stateTopic;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        int failed = poller.consecutiveFailedCycles();
        boolean mithrilUp = failed < config.unhealthyAfterFailedCycles();
        return HealthCheckResponse.named("status-poller")
                .status(mithrilUp && stateTopic.isReady())
                .withData("stateRebuilt", stateTopic.isReady())
                .withData("consecutiveFailedCycles", failed)
                .withData("failedCyclesThreshold", config.unhealthyAfterFailedCycles())
                .build();
    }
}
