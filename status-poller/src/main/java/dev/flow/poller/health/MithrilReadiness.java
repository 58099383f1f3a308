package dev.flow.poller.health;

import dev.flow.poller.config.PollerConfig;
import dev.flow.poller.messaging.Ownership;
import dev.flow.poller.service.Orphans;
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

    private final Ownership ownership;
    private final Orphans orphans;

    public MithrilReadiness(StatusPoller poller, StateTopic stateTopic, PollerConfig config, Ownership ownership,
                            Orphans orphans) {
        this.ownership = ownership;
        this.orphans = orphans;
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
                // which share of the tasks this replica watches
                .withData("ownedPartitions", ownership.owned().toString())
                // reported, not a reason to be unready: bid names only, nothing secret
                .withData("orphanBids", orphans.count())
                .withData("orphanBidNames", String.join(",", orphans.bidNames()))
                .build();
    }
}
