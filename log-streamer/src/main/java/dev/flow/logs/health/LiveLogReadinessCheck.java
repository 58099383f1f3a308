package dev.flow.logs.health;

import dev.flow.logs.config.LogsConfig;
import dev.flow.logs.service.LiveLogHub;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The live-log consumer ({@link LiveLogHub}), which feeds every following viewer of this replica: DOWN while its loop
 * is dead (until its restart) or stuck (no poll for {@code flow.logs.live.max-poll-gap}), or has not started yet,
 * with {@code reason} saying which. A replica whose viewers would see no new line must not get new viewers. The
 * SmallRye channels' own checks do not cover it: it is a consumer of its own, outside the connector.
 */
@Readiness
@ApplicationScoped
public class LiveLogReadinessCheck implements HealthCheck {

    private final LiveLogHub hub;
    private final LogsConfig config;

    public LiveLogReadinessCheck(LiveLogHub hub, LogsConfig config) {
        this.hub = hub;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        LiveLogHub.Health health = hub.health();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("live-logs")
                .withData("last_poll_at", health.lastPollAt().toString())
                .withData("seconds_since_poll", health.sinceLastPoll().toSeconds())
                .withData("restarts", health.restarts());
        if (health.failure().isPresent()) {
            return response.down().withData("reason", "the live-log consumer died ("
                    + health.failure().get() + "); restarted within " + config.live().restartDelay().toSeconds()
                    + " s").build();
        }
        if (health.sinceLastPoll().compareTo(config.live().maxPollGap()) > 0) {
            return response.down().withData("reason", "the live-log consumer is stuck: no poll for "
                    + health.sinceLastPoll().toSeconds() + " s (bound " + config.live().maxPollGap().toSeconds()
                    + " s)").build();
        }
        if (!health.following()) {
            return response.down().withData("reason", "the live-log consumer has not started yet").build();
        }
        return response.up().build();
    }
}
