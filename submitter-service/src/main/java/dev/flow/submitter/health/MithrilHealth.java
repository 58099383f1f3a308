package dev.flow.submitter.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import dev.flow.mithril.client.MithrilClient;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Whether Mithril answers, as last seen. A cheap authenticated call ({@code GET /v2/projects}, so a wrong API key
 * shows too) every {@code flow.submitter.mithril-health.interval}, never from a probe: a probe that called Mithril
 * (with the client's retries) on every request would take every submitter pod out of service during a Mithril
 * outage, when reads, the task list, the status streams and the outbox can all still be served.
 */
@ApplicationScoped
public class MithrilHealth {

    private static final Logger LOG = Logger.getLogger(MithrilHealth.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    /** One observation: whether Mithril answered, when, and what went wrong (a class name, never a message). */
    public record Observation(boolean up, Instant at, Optional<String> error) {
    }

    private final MithrilClient mithril;
    private final AtomicReference<Observation> last = new AtomicReference<>();

    public MithrilHealth(MithrilClient mithril) {
        this.mithril = mithril;
    }

    /** The last observation; empty before the first probe has answered. */
    public Optional<Observation> last() {
        return Optional.ofNullable(last.get());
    }

    @Scheduled(every = "${flow.submitter.mithril-health.interval:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return probe().replaceWithVoid();
    }

    /** Asks Mithril now and keeps the answer. */
    public Uni<Observation> probe() {
        return mithril.projects()
                .ifNoItem().after(PROBE_TIMEOUT).fail()
                .map(projects -> new Observation(true, Instant.now(), Optional.empty()))
                .onFailure().recoverWithItem(failure -> new Observation(false, Instant.now(),
                        Optional.of(failure.getClass().getSimpleName())))
                .invoke(this::keep);
    }

    private void keep(Observation observation) {
        Observation before = last.getAndSet(observation);
        if (before == null || before.up() != observation.up()) {
            if (observation.up()) {
                LOG.info("Mithril answers");
            } else {
                LOG.warnf("Mithril does not answer (%s): degraded, reads still served",
                        observation.error().orElse("?"));
            }
        }
    }
}
