package dev.flow.submitter.service;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import dev.flow.submitter.config.SubmitterConfig;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test-only fault injection, off unless {@code flow.submitter.fault-hooks.enabled=true} (set in the {@code test}
 * profile only): lets a test stop a submission at the worst moment, after Mithril accepted the bid and before the
 * transaction that records it, the window {@code SubmissionReconciler} exists for; or fail one publication of the
 * outbox relay half-way through a batch.
 */
@ApplicationScoped
public class FaultHooks {

    /** What a crash looks like to the request: the process would have died here. */
    public static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String message) {
            super(message, null, false, false);
        }
    }

    private final boolean enabled;
    private final Set<String> crashAfterBid = ConcurrentHashMap.newKeySet();
    private final Set<String> failPublish = ConcurrentHashMap.newKeySet();

    public FaultHooks(SubmitterConfig config) {
        this.enabled = config.faultHooks().enabled();
    }

    /** The next submission of a task with this name stops after its bid was placed, before it is recorded. */
    public void crashAfterBidPlaced(String taskName) {
        if (!enabled) {
            throw new IllegalStateException("fault hooks are disabled (flow.submitter.fault-hooks.enabled)");
        }
        crashAfterBid.add(taskName);
    }

    Uni<Void> afterBidPlaced(String taskName) {
        if (enabled && crashAfterBid.remove(taskName)) {
            return Uni.createFrom().failure(new SimulatedCrash("simulated crash after the bid of task " + taskName
                    + " was placed, before it was recorded"));
        }
        return Uni.createFrom().voidItem();
    }

    /**
     * The next publication of an outbox row of this task fails before it reaches the broker (as a send that timed
     * out would), in the middle of the relay's batch.
     */
    public void failNextPublish(String taskId) {
        if (!enabled) {
            throw new IllegalStateException("fault hooks are disabled (flow.submitter.fault-hooks.enabled)");
        }
        failPublish.add(taskId);
    }

    public Uni<Void> beforePublish(String taskId) {
        if (enabled && failPublish.remove(taskId)) {
            return Uni.createFrom().failure(new SimulatedCrash("simulated failure publishing an event of task "
                    + taskId));
        }
        return Uni.createFrom().voidItem();
    }
}
