package dev.flow.submitter.service;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;

import dev.flow.mithril.client.MithrilClient;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.service.client.SingleAttempt;
import dev.flow.service.vertx.VertxContexts;
import dev.flow.submitter.domain.TaskEntity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Cancels a task's bid at Mithril and records Mithril's confirmation ({@code bid_cancelled_at}); a bid Mithril no
 * longer knows counts as cancelled. A requested stop is money: until Mithril confirms it, the bid may still bill.
 *
 * <p>Two paths. A cancel as it is asked for ({@link #cancel}) uses the client's retries; if they run out (Mithril away
 * longer than they last) it is left recorded as unconfirmed. The sweep ({@link #retryUnconfirmed}, every second in
 * the lease holder) then makes <em>one</em> attempt per unconfirmed cancel per pass, a few at once: its own schedule
 * is the retry loop, so once Mithril answers again the cancel goes through within a pass, instead of after whatever
 * backoff a client's retry loop was sleeping in (up to 10 s) or a slow sweep's interval.
 */
@ApplicationScoped
public class BidCancellation {

    private static final Logger LOG = Logger.getLogger(BidCancellation.class);
    /** Unconfirmed cancels tried at once in a pass (each one call to Mithril). */
    private static final int CONCURRENCY = 8;

    private final MithrilClient mithril;
    private final MithrilClient singleAttempt;
    private final TaskStore store;
    private final Counter retriesConfirmed;
    private final Counter retriesFailed;

    public BidCancellation(MithrilClient mithril, @SingleAttempt MithrilClient singleAttempt, TaskStore store,
                           MeterRegistry registry) {
        this.mithril = mithril;
        this.singleAttempt = singleAttempt;
        this.store = store;
        this.retriesConfirmed = retries(registry, "confirmed");
        this.retriesFailed = retries(registry, "failed");
    }

    private static Counter retries(MeterRegistry registry, String outcome) {
        return Counter.builder("flow.cancel.retries").tag("outcome", outcome)
                .description("Attempts of the cancel sweep on bid cancels Mithril had not confirmed")
                .register(registry);
    }

    /** Cancels the task's bid (with the client's retries); a failure is logged and left to the sweep. */
    public Uni<Void> cancel(TaskEntity task, Executor context) {
        if (task.bidFid == null || task.bidCancelledAt != null) {
            return Uni.createFrom().voidItem();
        }
        return attempt(mithril, task, context)
                .onFailure().recoverWithUni(failure -> {
                    LOG.warnf("task %s: cancelling bid %s failed, the cancel sweep retries it: %s", task.id,
                            task.bidFid, failure.toString());
                    return Uni.createFrom().voidItem();
                });
    }

    /**
     * One pass of the sweep: one attempt on each cancel requested before {@code requestedBefore} that Mithril has not
     * confirmed (oldest first, at most {@code batch}).
     *
     * @return how many are still unconfirmed after the pass (of those tried)
     */
    public Uni<Integer> retryUnconfirmed(Instant requestedBefore, int batch) {
        Executor context = VertxContexts.current();
        return store.unconfirmedCancels(requestedBefore, batch)
                .chain(tasks -> tasks.isEmpty() ? Uni.createFrom().item(0) : tryEach(tasks, context));
    }

    /** Mithril's calls a few at once; then the confirmations recorded in one statement (one session: in order). */
    private Uni<Integer> tryEach(List<TaskEntity> tasks, Executor context) {
        return Multi.createFrom().iterable(tasks)
                .onItem().transformToUni(task -> singleAttempt.cancelBid(task.bidFid).replaceWith(task)
                        .onFailure(ResourceNotFoundError.class).recoverWithItem(task) // gone: nothing bills
                        .onFailure().recoverWithItem(failure -> {
                            LOG.debugf("task %s: cancel of bid %s not confirmed yet: %s", task.id, task.bidFid,
                                    failure.toString());
                            return null;
                        }))
                .merge(CONCURRENCY)
                .collect().asList()
                .chain(confirmed -> {
                    List<String> ids = confirmed.stream().map(t -> t.id).toList();
                    retriesConfirmed.increment(ids.size());
                    retriesFailed.increment(tasks.size() - ids.size());
                    confirmed.forEach(t -> LOG.infof("task %s: bid %s cancelled on a retry (%s)", t.id, t.bidFid,
                            t.cancelReason));
                    int left = tasks.size() - ids.size();
                    if (left > 0) {
                        LOG.warnf("%d of %d bid cancels still not confirmed by Mithril; tried again next pass", left,
                                tasks.size());
                    }
                    return VertxContexts.backTo(context, Uni.createFrom().voidItem())
                            .chain(() -> ids.isEmpty() ? Uni.createFrom().voidItem()
                                    : store.markBidsCancelled(ids, Instant.now()))
                            .replaceWith(left);
                });
    }

    /** One cancel through {@code client}, then the confirmation recorded; a bid Mithril no longer has is cancelled. */
    private Uni<Void> attempt(MithrilClient client, TaskEntity task, Executor context) {
        return VertxContexts.backTo(context, client.cancelBid(task.bidFid))
                .chain(() -> store.markBidCancelled(task.id, Instant.now()))
                .invoke(() -> LOG.infof("task %s: bid %s cancelled (%s)", task.id, task.bidFid, task.cancelReason))
                .onFailure(ResourceNotFoundError.class).recoverWithUni(gone -> {
                    LOG.infof("task %s: bid %s no longer exists at Mithril", task.id, task.bidFid);
                    return VertxContexts.backTo(context, Uni.createFrom().voidItem())
                            .chain(() -> store.markBidCancelled(task.id, Instant.now()));
                });
    }
}
