package dev.flow.submitter.service;

import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.service.vertx.VertxContexts;
import dev.flow.submitter.config.SubmitterConfig;
import dev.flow.submitter.domain.TaskEntity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;

/**
 * Re-sends a stop that Mithril confirmed but that did not take: the task's status events still say it is not over
 * {@code flow.submitter.stop-resend.after} after the confirmation (the poller closes a stopped task within a poll
 * cycle or two). The bid is read first: a bid Mithril reports {@code Terminated} (or gone) did stop, only the events
 * are behind, so nothing is re-sent and the stop is not looked at again ({@code stop_took_at}); a live bid (its instances still bill) gets its cancel again, with a WARN and
 * {@code flow_stops_resent_total}. Looks are spaced by a doubling backoff (up to {@code .max-interval}) and a stop is
 * re-sent {@code .max-attempts} times at most; the last logs an ERROR for an operator. Called by
 * {@link CancelSweeper}, so only in the instance holding the lease.
 */
@ApplicationScoped
public class StopResender {

    private static final Logger LOG = Logger.getLogger(StopResender.class);
    private static final int BATCH = 20;

    private final MithrilClient mithril;
    private final TaskStore store;
    private final SubmitterConfig.StopResend config;
    private final Counter resent;

    public StopResender(MithrilClient mithril, TaskStore store, SubmitterConfig config, MeterRegistry registry) {
        this.mithril = mithril;
        this.store = store;
        this.config = config.stopResend();
        this.resent = Counter.builder("flow.stops.resent")
                .description("Bid cancels sent again because the task went on after Mithril confirmed its stop")
                .register(registry);
    }

    /** One pass over the stops due for a look. */
    public Uni<Void> resendStopsNotTaken() {
        Instant now = Instant.now();
        Executor context = VertxContexts.current();
        return store.stopsNotOver(now.minus(config.after()), now, config.maxAttempts(), BATCH)
                .chain(tasks -> Multi.createFrom().iterable(tasks)
                        .onItem().transformToUniAndConcatenate(task -> look(task, now, context)
                                .onFailure().recoverWithUni(failure -> {
                                    // Mithril or the database away: the same look comes up on the next pass
                                    LOG.warnf("task %s: checking its stop failed, retried on the next pass: %s",
                                            task.id, failure.toString());
                                    return Uni.createFrom().voidItem();
                                }))
                        .collect().last())
                .replaceWithVoid();
    }

    private Uni<Void> look(TaskEntity task, Instant now, Executor context) {
        return VertxContexts.backTo(context, mithril.getBid(task.bidFid)
                .onFailure(ResourceNotFoundError.class).recoverWithNull())
                .chain(bid -> {
                    if (bid == null || bid.status() == BidStatus.TERMINATED) {
                        // the stop took (a bid never comes back from Terminated); only the poller has not closed
                        // the task yet: nothing to send, no need to look again
                        return store.recordStopTook(task.id, now);
                    }
                    return resend(task, bid, now, context);
                });
    }

    private Uni<Void> resend(TaskEntity task, Bid bid, Instant now, Executor context) {
        int attempt = task.stopResends + 1;
        LOG.warnf("task %s (%s): bid %s is still %s %s after Mithril confirmed its cancel (%s); re-sending the "
                        + "cancel (%d of %d)", task.id, task.status, task.bidFid, bid.status().wire(),
                Duration.between(task.bidCancelledAt, now).toSeconds() + " s", task.cancelReason, attempt,
                config.maxAttempts());
        return VertxContexts.backTo(context, mithril.cancelBid(task.bidFid)
                        .onFailure(ResourceNotFoundError.class).recoverWithNull())
                .invoke(() -> resent.increment())
                .chain(() -> store.recordStopResent(task.id, now.plus(backoff(attempt))))
                .invoke(() -> {
                    if (attempt >= config.maxAttempts()) {
                        LOG.errorf("task %s: cancel of bid %s re-sent %d times and the task still is not over; no "
                                + "more re-sends: check the bid at Mithril and cancel it by hand if it still runs",
                                task.id, task.bidFid, attempt);
                    }
                });
    }

    /** {@code after × 2^n}, at most {@code max-interval}. */
    private Duration backoff(int resends) {
        Duration wait = config.after().multipliedBy(1L << Math.min(resends, 20));
        return wait.compareTo(config.maxInterval()) > 0 ? config.maxInterval() : wait;
    }
}
