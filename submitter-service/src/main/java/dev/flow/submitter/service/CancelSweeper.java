package dev.flow.submitter.service;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import dev.flow.submitter.config.SubmitterConfig;
import java.time.Instant;

/**
 * Retries bid cancellations that Mithril did not confirm (an outage, a crash between the request and the call), so a
 * requested stop always ends billing eventually.
 */
@ApplicationScoped
public class CancelSweeper {

    private static final Logger LOG = Logger.getLogger(CancelSweeper.class);

    private final TaskService tasks;
    private final SubmitterConfig config;

    public CancelSweeper(TaskService tasks, SubmitterConfig config) {
        this.tasks = tasks;
        this.config = config;
    }

    @Scheduled(every = "${flow.submitter.cancel-sweep.interval:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return tasks.retryUnconfirmedCancels(Instant.now().minus(config.cancelSweep().grace()))
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("sweep pass failed, retried in the next one: %s", failure.toString());
                    return null;
                });
    }
}
