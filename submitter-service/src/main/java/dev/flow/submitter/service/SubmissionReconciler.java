package dev.flow.submitter.service;

import dev.flow.submitter.config.SubmitterConfig;
import dev.flow.submitter.repository.Lease;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * Completes submissions interrupted between the task row and the bid's record (see
 * {@link TaskService#reconcileStuckSubmissions}). Only rows older than {@code flow.submitter.reconcile.grace} are
 * touched, so a submission still in progress (Mithril retries included) is left to its request. Runs only in the
 * instance holding the {@code Lease} (two reconcilers could adopt and fail the same submission at once).
 */
@ApplicationScoped
public class SubmissionReconciler {

    private static final Logger LOG = Logger.getLogger(SubmissionReconciler.class);

    private final TaskService tasks;
    private final SubmitterConfig config;
    private final Lease lease;

    public SubmissionReconciler(TaskService tasks, SubmitterConfig config, Lease lease) {
        this.lease = lease;
        this.tasks = tasks;
        this.config = config;
    }

    @Scheduled(every = "${flow.submitter.reconcile.interval:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reconcile() {
        if (!lease.held()) {
            return Uni.createFrom().voidItem(); // the lease's holder reconciles
        }
        return tasks.reconcileStuckSubmissions(Instant.now().minus(config.reconcile().grace()))
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("reconcile pass failed, retried in the next one: %s", failure.toString());
                    return null;
                });
    }
}
