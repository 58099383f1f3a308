package dev.flow.submitter.service;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import dev.flow.submitter.config.SubmitterConfig;
import dev.flow.submitter.repository.Lease;
import java.time.Instant;

/**
 * Retries bid cancellations that Mithril did not confirm (an outage, a crash between the request and the call), so a
 * requested stop always ends billing eventually; then re-sends the stops Mithril confirmed that did not take
 * ({@link StopResender}). Runs only in the instance holding the {@code Lease}.
 */
@ApplicationScoped
public class CancelSweeper {

    private static final Logger LOG = Logger.getLogger(CancelSweeper.class);

    private final TaskService tasks;
    private final StopResender stops;
    private final SubmitterConfig config;
    private final Lease lease;

    public CancelSweeper(TaskService tasks, StopResender stops, SubmitterConfig config, Lease lease) {
        this.stops = stops;
        this.lease = lease;
        this.tasks = tasks;
        this.config = config;
    }

    @Scheduled(every = "${flow.submitter.cancel-sweep.interval:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        if (!lease.held()) {
            return Uni.createFrom().voidItem(); // the lease's holder sweeps
        }
        return tasks.retryUnconfirmedCancels(Instant.now().minus(config.cancelSweep().grace()))
                .chain(stops::resendStopsNotTaken)
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("sweep pass failed, retried in the next one: %s", failure.toString());
                    return null;
                });
    }
}
