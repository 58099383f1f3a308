package dev.flow.submitter.messaging;

import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.ResubmitTask;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.TaskCostUpdated;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.WorkloadExited;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.messaging.DeadLetterQueue;
import dev.flow.service.tracing.TaskTraces;
import dev.flow.submitter.service.TaskChanges;
import dev.flow.submitter.service.TaskResubmissions;
import dev.flow.submitter.service.TaskService;
import dev.flow.submitter.service.TaskStore;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * What the submitter reacts to. Every handler is idempotent, so a redelivered record changes nothing more: by state
 * (a stop of a task whose cancel is requested, a status or cost older than the one applied, do nothing), except
 * {@code ResubmitTask}, whose effect (a new bid) state cannot tell apart from a later preemption's: it is deduped by
 * its {@code ce_id}, recorded in the transaction of the restart ({@code submitter.consumed_command}). None
 * fails the stream: an infrastructure failure is retried with backoff until it passes, and a record that can never
 * be handled is parked on the dead-letter topic ({@link DeadLetterQueue}: {@code undecodable} or
 * {@code unprocessable}), and its offset committed only once the broker has it, so one bad record cannot stop the
 * service and is not lost.
 * <ul>
 *   <li>{@code flow.task.commands}: {@code StopTask} → cancel the bid (and {@code CancelRequested} with its reason);
 *       for a task it does not know with reason {@code ORPHAN}, cancel the bids named after it in every project;
 *       {@code ResubmitTask} → a new bid {@code flow-<id>-r<k>} ({@code TaskResubmitted}, {@code BidPlaced}).</li>
 *   <li>{@code flow.task.lifecycle}: {@code WorkloadExited} → cancel the bid, so billing stops; the poller closes
 *       the task from the exit itself. The log-streamer publishes one per task, when its workload is over: at the
 *       first failing node, or once every node exited 0 (naming the last one), so whichever node it names, the
 *       task is done.</li>
 *   <li>{@code flow.task.status}: {@code TaskStatusChanged} → the read model, then {@link TaskChanges} (the
 *       task's open status streams).</li>
 *   <li>{@code flow.cost.updates} (own consumer group): {@code TaskCostUpdated} → the task's {@code total_cost}.</li>
 * </ul>
 */
@ApplicationScoped
public class TaskEventConsumers {

    private static final Logger LOG = Logger.getLogger(TaskEventConsumers.class);
    static final String SELF = "submitter-service";

    private final TaskService tasks;
    private final TaskResubmissions resubmissions;
    private final TaskStore store;
    private final TaskChanges changes;
    private final TaskTraces traces;
    private final DeadLetterQueue deadLetters;

    public TaskEventConsumers(TaskService tasks, TaskResubmissions resubmissions, TaskStore store,
                              TaskChanges changes, TaskTraces traces, DeadLetterQueue deadLetters) {
        this.deadLetters = deadLetters;
        this.tasks = tasks;
        this.resubmissions = resubmissions;
        this.store = store;
        this.changes = changes;
        this.traces = traces;
    }

    @Incoming("task-commands")
    public Uni<Void> onCommand(ConsumerRecord<String, byte[]> record) {
        return handle(record, event -> switch (event) {
            case StopTask stop -> tasks.cancel(stop.taskId(), stop.reason(),
                            stop.requestedBy() == null ? "unknown" : stop.requestedBy(), true)
                    .chain(outcome -> {
                        boolean orphan = stop.reason().kind() == TransitionReason.Kind.ORPHAN;
                        // unknown here, or ended without the bid on record (a submission failed while its bid's
                        // fate was unclear): the poller saw flow-<id> bids nobody follows; cancel them by name
                        if (orphan && (outcome == null || outcome.alreadyFinished() && outcome.task().bidFid == null)) {
                            return tasks.cancelOrphanBids(stop.taskId()).invoke(n -> LOG.infof(
                                    "StopTask(ORPHAN) for unknown task %s: %d bid(s) cancelled", stop.taskId(), n))
                                    .replaceWithVoid();
                        }
                        if (outcome == null) {
                            LOG.debugf("StopTask for unknown task %s ignored", stop.taskId());
                        }
                        return Uni.createFrom().voidItem();
                    });
            case ResubmitTask resubmit -> resubmissions.resubmit(resubmit.taskId(), CloudEventRecords.eventId(record));
            default -> Uni.createFrom().voidItem();
        });
    }

    @Incoming("task-lifecycle")
    public Uni<Void> onLifecycle(ConsumerRecord<String, byte[]> record) {
        return handle(record, event -> {
            if (event instanceof WorkloadExited exited) {
                return tasks.cancel(exited.taskId(), TransitionReason.workloadExit(exited.exitCode()), SELF, false)
                        .replaceWithVoid();
            }
            return Uni.createFrom().voidItem(); // our own events
        });
    }

    @Incoming("task-status")
    public Uni<Void> onStatus(ConsumerRecord<String, byte[]> record) {
        return handle(record, event -> event instanceof TaskStatusChanged changed
                ? store.applyStatus(changed).invoke(known -> announce(known, changed.taskId())).replaceWithVoid()
                : Uni.createFrom().voidItem());
    }

    @Incoming("cost-updates")
    public Uni<Void> onCost(ConsumerRecord<String, byte[]> record) {
        return handle(record, event -> event instanceof TaskCostUpdated cost
                ? store.applyCost(cost).invoke(known -> announce(known, cost.taskId())).replaceWithVoid()
                : Uni.createFrom().voidItem()); // ProjectCostUpdated: not the submitter's business
    }

    /** After the commit: open status streams of the task re-read it. */
    private void announce(boolean known, String taskId) {
        if (known) {
            changes.changed(taskId);
        }
    }

    private Uni<Void> handle(ConsumerRecord<String, byte[]> record,
                             java.util.function.Function<FlowEvent, Uni<Void>> handler) {
        // the events this record leads to (a cancel, a resubmission) continue the task's trace (OutboxWriter)
        traces.remember(record);
        Optional<FlowEvent> event;
        try {
            event = CloudEventRecords.fromRecord(record);
        } catch (RuntimeException e) {
            return deadLetters.park(record, "undecodable", e);
        }
        if (event.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // the database or Mithril away (a restart, a blip): retried with backoff, the partition waits and nothing
        // is skipped (a StopTask lost here would keep a bid billing); the offset is committed only after success.
        // A failure the event itself causes is set aside: parked on the dead-letter topic, counted, skipped.
        return deadLetters.handle(record, event.get().type() + " of " + record.key(),
                () -> handler.apply(event.get()));
    }
}
