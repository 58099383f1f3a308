package dev.flow.submitter.service;

import dev.flow.submitter.config.SubmitterConfig;
import dev.flow.submitter.repository.Lease;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * This instance's hold on the {@value #NAME} lease ({@link Lease}): the outbox relay, the cancel sweeper and the
 * submission reconciler run only in the instance holding it, so a rolling deploy (old and new pod side by side)
 * never runs them twice. Renewed every {@code flow.submitter.lease.renew-interval}; released on shutdown, so the
 * next instance takes over at its next renewal; after a crash (SIGKILL) another takes over once the hold expires
 * ({@code flow.submitter.lease.ttl}).
 */
@ApplicationScoped
public class LeaseKeeper {

    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class);
    public static final String NAME = "submitter-active";
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(5);

    private final Lease lease;
    private volatile boolean wasHeld;

    public LeaseKeeper(Pool pool, SubmitterConfig config, MeterRegistry registry) {
        this.lease = new Lease(pool, NAME, config.lease().holder().orElseGet(LeaseKeeper::defaultHolder),
                config.lease().ttl());
        Gauge.builder("flow.lease.held", lease, held -> held.held() ? 1 : 0).tag("lease", NAME)
                .description("1 while this instance holds the lease that runs the outbox relay and the sweepers")
                .register(registry);
    }

    /** The pod name (HOSTNAME in Kubernetes), the process id and a random part: unique per process start. */
    static String defaultHolder() {
        String host = Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).orElse("local");
        return host + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The lease the relay and the sweepers ask before each pass. */
    @Produces
    @Singleton
    Lease lease() {
        return lease;
    }

    @Scheduled(every = "${flow.submitter.lease.renew-interval:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> renew() {
        return lease.renew()
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("renewing lease %s failed (%s); it lapses unless a later renewal passes", NAME,
                            failure.toString());
                    return false;
                })
                .invoke(this::logChange)
                .replaceWithVoid();
    }

    private void logChange(boolean held) {
        if (held && !wasHeld) {
            LOG.infof("holding lease %s as %s: the outbox relay and the sweepers run here", NAME, lease.holder());
        } else if (!held && wasHeld) {
            LOG.warnf("lease %s lost by %s: the outbox relay and the sweepers stop here", NAME, lease.holder());
        } else if (!held) {
            LOG.debugf("lease %s is held by %s", NAME,
                    lease.seen().flatMap(Lease.Seen::holder).orElse("nobody"));
        }
        wasHeld = held;
    }

    /** Gives the lease up before the instance goes, so the next one takes over without waiting for the expiry. */
    void onStop(@Observes ShutdownEvent event) {
        boolean held = lease.held();
        try {
            lease.release().await().atMost(RELEASE_WAIT);
            if (held) {
                LOG.infof("lease %s released by %s", NAME, lease.holder());
            }
        } catch (RuntimeException e) {
            // the hold then ends with its expiry
            LOG.warnf("releasing lease %s failed: %s", NAME, e.toString());
        }
    }
}
