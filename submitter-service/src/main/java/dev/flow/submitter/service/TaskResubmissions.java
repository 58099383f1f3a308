package dev.flow.submitter.service;

import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.CreateBidRequest;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.model.task.RetryPolicy;
import dev.flow.service.vertx.VertxContexts;
import dev.flow.submitter.domain.TaskEntity;
import dev.flow.submitter.messaging.OutboxRelay;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.concurrent.Executor;

/** A preempted task's new bid ({@code ResubmitTask} from the poller, for a task with {@code retry.on_preemption}). */
@ApplicationScoped
public class TaskResubmissions {

    private static final Logger LOG = Logger.getLogger(TaskResubmissions.class);

    private final MithrilClient mithril;
    private final TaskStore store;
    private final TaskService tasks;
    private final OutboxRelay relay;

    public TaskResubmissions(MithrilClient mithril, TaskStore store, TaskService tasks, OutboxRelay relay) {
        this.mithril = mithril;
        this.store = store;
        this.tasks = tasks;
        this.relay = relay;
    }

    /**
     * {@code ResubmitTask} from the poller (a preempted task whose TaskConfig says
     * {@code retry: {on_preemption: true}}): cancels the preempted bid, places a copy of it (same project, region,
     * type, limit price, quantity and launch specification, read back from Mithril because the startup script
     * carries env values the submitter never stores) named {@code flow-<task id>-r<k>}, and records it with
     * {@code TaskResubmitted} + {@code BidPlaced}. Past {@code max_restarts} the task is ended instead, like a
     * {@code StopTask(PREEMPTED)}. Exactly once per command: its CloudEvents id ({@code commandId}) is recorded with
     * the restart, so a redelivery does nothing; one that comes after the new bid was placed but before the restart
     * was recorded (a crash between) finds that bid by its name and adopts it, rather than place it twice.
     */
    public Uni<Void> resubmit(String taskId, String commandId) {
        Executor context = VertxContexts.current();
        // exactly once by the command's ce_id: a redelivered ResubmitTask would otherwise see the bid it placed as
        // the preempted one, cancel it and place another (or end the task past max_restarts)
        return store.commandConsumed(commandId).chain(done -> {
            if (done) {
                LOG.infof("task %s: ResubmitTask %s was carried out already; the redelivery is ignored", taskId,
                        commandId);
                return Uni.createFrom().voidItem();
            }
            return store.find(taskId).chain(task -> resubmit(taskId, task, commandId, context));
        });
    }

    private Uni<Void> resubmit(String taskId, TaskEntity task, String commandId, Executor context) {
        if (task == null) {
            LOG.debugf("ResubmitTask for unknown task %s ignored", taskId);
            return Uni.createFrom().voidItem();
        }
        if (TaskStatus.parse(task.status).isTerminal() || task.cancelRequestedAt != null || task.bidFid == null) {
            LOG.infof("task %s: ResubmitTask ignored (status %s, cancel requested %s, bid %s)", taskId,
                    task.status, task.cancelRequestedAt != null, task.bidFid);
            return Uni.createFrom().voidItem();
        }
        RetryPolicy retry = TaskViewsSupport.config(task).retry();
        if (!retry.onPreemption()) {
            LOG.infof("task %s: ResubmitTask ignored: its config does not ask for retry.on_preemption", taskId);
            return Uni.createFrom().voidItem();
        }
        int restart = task.restartCount + 1;
        if (restart > retry.maxRestarts()) {
            LOG.infof("task %s: preempted after %d restart(s), max_restarts %d reached: ending it", taskId,
                    task.restartCount, retry.maxRestarts());
            return tasks.cancel(taskId, TransitionReason.PREEMPTED, TaskService.SELF, true).replaceWithVoid();
        }
        // the handler acks the command whatever happens: a passing Mithril failure is retried here, each
        // attempt safe to repeat (the old bid's cancel is idempotent, the new one is looked up by name first)
        return replaceBid(task, restart, commandId, context).onFailure(f -> !(f instanceof ValidationError))
                .retry().withBackOff(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(10)).atMost(3);
    }

    private Uni<Void> replaceBid(TaskEntity task, int restart, String commandId, Executor context) {
        String oldFid = task.bidFid;
        String newName = TaskIds.bidName(task.id, restart);
        return VertxContexts.backTo(context, mithril.getBid(oldFid))
                // the old bid goes first: two live bids of one task would bill twice
                .call(old -> mithril.cancelBid(oldFid).onFailure(ResourceNotFoundError.class).recoverWithNull())
                .chain(old -> mithril.findBidByName(old.project(), newName).chain(found -> found.isPresent()
                        ? Uni.createFrom().item(found.get())
                        : mithril.createBid(new CreateBidRequest(old.project(), old.region(), old.instanceType(),
                        old.limitPrice(), old.instanceQuantity(), newName, old.launchSpecification()))))
                .chain(bid -> VertxContexts.backTo(context, Uni.createFrom().item(bid)))
                .chain(bid -> store.recordResubmitted(task.id, restart, newName, bid.fid(), Instant.now(), commandId)
                        .invoke(recorded -> {
                            if (recorded) {
                                LOG.infof("task %s: preempted bid %s replaced by %s (%s), restart %d", task.id,
                                        oldFid, newName, bid.fid(), restart);
                                relay.kick();
                            }
                        }))
                .replaceWithVoid();
    }
}
