package dev.flow.submitter.service;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import dev.flow.submitter.config.SubmitterConfig;
import dev.flow.submitter.repository.Lease;
import java.time.Instant;

/**
 * Makes every requested stop end its bid: tries again, every {@code flow.submitter.cancel-sweep.interval}, the bid
 * cancels Mithril did not confirm (an outage, a crash between the request and the call; {@link BidCancellation}),
 * and, every {@code flow.submitter.stop-resend.interval}, re-sends the stops Mithril confirmed that did not take
 * ({@link StopResender}). Runs only in the instance holding the {@code Lease}.
 */
@ApplicationScoped
public class CancelSweeper {

    private static final Logger LOG = Logger.getLogger(CancelSweeper.class);

    private final BidCancellation cancellation;
    private final StopResender stops;
    private final SubmitterConfig config;
    private final Lease lease;

    public CancelSweeper(BidCancellation cancellation, StopResender stops, SubmitterConfig config, Lease lease) {
        this.cancellation = cancellation;
        this.stops = stops;
        this.lease = lease;
        this.config = config;
    }

    @Scheduled(every = "${flow.submitter.cancel-sweep.interval:1s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> retryUnconfirmedCancels() {
        if (!lease.held()) {
            return Uni.createFrom().voidItem(); // the lease's holder sweeps
        }
        return cancellation.retryUnconfirmed(Instant.now().minus(config.cancelSweep().grace()),
                        config.cancelSweep().batch())
                .replaceWithVoid()
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("cancel sweep pass failed, retried in the next one: %s", failure.toString());
                    return null;
                });
    }

    @Scheduled(every = "${flow.submitter.stop-resend.interval:15s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> resendStopsNotTaken() {
        if (!lease.held()) {
            return Uni.createFrom().voidItem();
        }
        return stops.resendStopsNotTaken()
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("stop re-send pass failed, retried in the next one: %s", failure.toString());
                    return null;
                });
    }
}
