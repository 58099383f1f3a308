package dev.flow.submitter.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.flow.model.event.BidPlaced;
import dev.flow.model.event.CancelRequested;
import dev.flow.model.event.EventCodec;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.ResubmitTask;
import dev.flow.model.event.TaskCostUpdated;
import dev.flow.model.event.TaskResubmitted;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.TaskSubmitted;
import dev.flow.model.json.FlowJson;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.model.task.TaskConfig;
import dev.flow.submitter.domain.ConsumedCommandEntity;
import dev.flow.submitter.domain.TaskEntity;
import dev.flow.submitter.messaging.OutboxWriter;
import dev.flow.submitter.repository.ConsumedCommandRepository;
import dev.flow.submitter.repository.SubmissionRows;
import dev.flow.submitter.repository.TaskRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The submitter's units of work on its database: each public method is one transaction, and every event it
 * records goes to the outbox in that same transaction (no dual write).
 */
@ApplicationScoped
public class TaskStore {

    private static final TypeReference<List<InstanceInfo>> INSTANCES = new TypeReference<>() {
    };

    private final TaskRepository tasks;
    private final OutboxWriter outbox;
    private final ConsumedCommandRepository consumed;
    private final SubmissionRows submissionRows;

    public TaskStore(TaskRepository tasks, OutboxWriter outbox, ConsumedCommandRepository consumed,
                     SubmissionRows submissionRows) {
        this.submissionRows = submissionRows;
        this.tasks = tasks;
        this.outbox = outbox;
        this.consumed = consumed;
    }

    /** Whether the command with this CloudEvents id was carried out already (a redelivery). */
    @WithSession
    public Uni<Boolean> commandConsumed(String eventId) {
        return consumed.findById(eventId).map(java.util.Objects::nonNull);
    }

    /** What a cancel request found and did. */
    public record CancelOutcome(TaskEntity task, boolean alreadyFinished, boolean newlyRequested) {
    }

    /** Writes the task before its bid exists (no events yet: nobody else knows it until the bid is placed). */
    @WithTransaction
    public Uni<TaskEntity> insertPending(TaskEntity task) {
        return tasks.persist(task);
    }

    /**
     * A submission without an {@code Idempotency-Key} whose bid exists: the task row with its bid and its
     * {@code TaskSubmitted} and {@code BidPlaced} events, in the submission's one transaction (one statement,
     * {@link SubmissionRows}).
     */
    public Uni<TaskEntity> insertPlaced(TaskEntity task, String bidFid, TaskConfig redacted, Instant at) {
        task.bidFid = bidFid;
        task.message = "bid placed, waiting for capacity";
        task.updatedAt = at;
        List<FlowEvent> events = placedEvents(task, bidFid, redacted, at);
        return submissionRows.insert(task, events.stream().map(outbox::row).toList()).replaceWith(task);
    }

    /** A submission without an {@code Idempotency-Key} whose bid Mithril refused: the task row, failed; no event. */
    @WithTransaction
    public Uni<TaskEntity> insertFailed(TaskEntity task, String message, Instant at) {
        markFailed(task, message, at);
        return tasks.persist(task);
    }

    /** The bid exists: the task row and its {@code TaskSubmitted} and {@code BidPlaced} events, in one transaction. */
    @WithTransaction
    public Uni<TaskEntity> recordBidPlaced(String taskId, String bidFid, TaskConfig redacted, Instant at) {
        return tasks.findById(taskId).chain(task -> {
            if (task.bidFid != null) {
                return Uni.createFrom().item(task); // recorded already (the request path and the reconciler met)
            }
            task.bidFid = bidFid;
            if (TaskStatus.parse(task.status).isTerminal()) {
                // the reconciler gave up on this submission before the bid appeared: nobody follows this bid
                task.cancelRequestedAt = at;
                task.cancelReason = TransitionReason.ORPHAN.toString();
                task.updatedAt = at;
                return Uni.createFrom().item(task);
            }
            task.message = "bid placed, waiting for capacity";
            task.updatedAt = at;
            return appendPlaced(task, bidFid, redacted, at).replaceWith(task);
        });
    }

    private Uni<Void> appendPlaced(TaskEntity task, String bidFid, TaskConfig redacted, Instant at) {
        List<FlowEvent> events = placedEvents(task, bidFid, redacted, at);
        return outbox.append(events.get(0)).chain(() -> outbox.append(events.get(1))).replaceWithVoid();
    }

    /** {@code TaskSubmitted} then {@code BidPlaced}: what the other services learn of a task whose bid exists. */
    private static List<FlowEvent> placedEvents(TaskEntity task, String bidFid, TaskConfig redacted, Instant at) {
        Money limit = Money.of(task.limitPrice);
        TaskSubmitted submitted = new TaskSubmitted(task.id, task.project, task.name,
                task.instanceType != null ? task.instanceType : task.instanceTypeName, task.numInstances,
                task.region, limit, redacted, task.createdAt);
        BidPlaced placed = new BidPlaced(task.id, bidFid, task.project, task.region, task.instanceTypeFid, limit, at);
        return List.of(submitted, placed);
    }

    /**
     * Mithril could not take the bid now (busy or down) and has none: the pending row goes, with its
     * {@code Idempotency-Key}, so that the client's retry with that key places the task instead of replaying a
     * failure. Only a row still without a bid goes (the reconciler may have adopted one meanwhile).
     */
    @WithTransaction
    public Uni<Void> discardPending(String taskId) {
        return tasks.delete("id = ?1 and bidFid is null and status = ?2", taskId, TaskStatus.PENDING.json())
                .replaceWithVoid();
    }

    /** Mithril refused the bid: the task ends failed; no event (no other service ever heard of it). */
    @WithTransaction
    public Uni<TaskEntity> recordSubmitFailed(String taskId, String message, Instant at) {
        return tasks.findById(taskId).invoke(task -> markFailed(task, message, at));
    }

    private static void markFailed(TaskEntity task, String message, Instant at) {
        task.status = TaskStatus.FAILED.json();
        task.reason = TransitionReason.PROVIDER_ERROR.toString();
        task.message = message;
        task.completedAt = at;
        task.updatedAt = at;
    }

    @WithSession
    public Uni<TaskEntity> findByIdempotencyKey(String project, String key) {
        return tasks.findByIdempotencyKey(project, key);
    }

    /** Bid fid → task id, for the bids among {@code bidFids} that are tasks of this platform. */
    @WithSession
    public Uni<Map<String, String>> tasksOfBids(Collection<String> bidFids) {
        if (bidFids.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return tasks.findByBidFids(bidFids).map(found -> found.stream()
                .collect(Collectors.toMap(t -> t.bidFid, t -> t.id, (a, b) -> a)));
    }

    @WithSession
    public Uni<TaskEntity> find(String taskId) {
        return tasks.findById(taskId);
    }

    /** One page of the caller's tasks, newest first (see {@link TaskRepository#listPage}). */
    @WithSession
    public Uni<List<TaskEntity>> list(Collection<String> projects, Collection<String> statuses, String name,
                                      boolean namePrefix, TaskRepository.Position after, int limit) {
        if (projects.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return tasks.listPage(projects, statuses, name, namePrefix, after, limit);
    }

    /**
     * A resubmission's new bid exists: the task now follows it, with {@code TaskResubmitted} and {@code BidPlaced}
     * in the outbox, in one transaction, with the {@code ResubmitTask}'s id ({@code commandId}) as consumed, so a
     * redelivery of that command is recognised ({@link #commandConsumed}). A repeat for the same restart changes
     * nothing.
     *
     * @return whether this call recorded the restart
     */
    @WithTransaction
    public Uni<Boolean> recordResubmitted(String taskId, int restart, String newBidName, String newBidFid,
                                          Instant at, String commandId) {
        return tasks.findById(taskId).chain(task -> {
            if (task == null || task.restartCount >= restart || newBidFid.equals(task.bidFid)) {
                return Uni.createFrom().item(false);
            }
            String oldBidFid = task.bidFid;
            if (oldBidFid != null) {
                task.previousBids = task.previousBids == null ? oldBidFid : task.previousBids + "," + oldBidFid;
            }
            task.bidFid = newBidFid;
            task.bidName = newBidName;
            task.bidCancelledAt = null;
            task.restartCount = restart;
            task.message = "preempted; resubmitted as bid " + newBidName + " (restart " + restart + ")";
            task.updatedAt = at;
            TaskResubmitted resubmitted = new TaskResubmitted(task.id, restart, oldBidFid, newBidFid, at);
            BidPlaced placed = new BidPlaced(task.id, newBidFid, task.project, task.region, task.instanceTypeFid,
                    Money.of(task.limitPrice), at);
            ConsumedCommandEntity command = new ConsumedCommandEntity();
            command.eventId = commandId;
            command.eventType = EventCodec.typeOf(ResubmitTask.class);
            command.taskId = taskId;
            command.consumedAt = at;
            return outbox.append(resubmitted).chain(() -> outbox.append(placed)).chain(() -> consumed.persist(command))
                    .replaceWith(true);
        });
    }

    /**
     * Folds the cost-accountant's figure into the read model; an update older than the last one applied changes
     * nothing (redelivery, reordering).
     *
     * @return whether the task is this service's
     */
    @WithTransaction
    public Uni<Boolean> applyCost(TaskCostUpdated update) {
        return tasks.findById(update.taskId()).map(task -> {
            if (task == null) {
                return false;
            }
            if (task.costAt != null && update.at().isBefore(task.costAt)) {
                return true;
            }
            task.costAt = update.at();
            if (update.totalCost() != null) {
                task.totalCost = update.totalCost().amount();
            }
            if (update.costPerHour() != null) {
                task.costPerHour = update.costPerHour().amount();
            }
            task.updatedAt = Instant.now();
            return true;
        });
    }

    /**
     * Records a cancel request and its {@code CancelRequested} event (once per task; a repeat changes nothing).
     *
     * @param publish whether the request becomes a {@code CancelRequested} event (not for a workload's own exit:
     *                {@code WorkloadExited} already tells the poller why)
     * @return null when the task does not exist
     */
    @WithTransaction
    public Uni<CancelOutcome> requestCancel(String taskId, TransitionReason reason, String requestedBy,
                                            boolean publish, Instant at) {
        return tasks.findById(taskId).chain(task -> {
            if (task == null) {
                return Uni.createFrom().nullItem();
            }
            if (TaskStatus.parse(task.status).isTerminal()) {
                return Uni.createFrom().item(new CancelOutcome(task, true, false));
            }
            if (task.cancelRequestedAt != null) {
                return Uni.createFrom().item(new CancelOutcome(task, false, false));
            }
            task.cancelRequestedAt = at;
            task.cancelReason = reason.toString();
            task.updatedAt = at;
            if (!publish) {
                return Uni.createFrom().item(new CancelOutcome(task, false, true));
            }
            return outbox.append(new CancelRequested(task.id, reason, requestedBy, at))
                    .replaceWith(new CancelOutcome(task, false, true));
        });
    }

    /** A volume mounted by {@code POST /v1/tasks/{id}/volumes}: the stored config lists it from now on. */
    @WithTransaction
    public Uni<Void> recordMount(String taskId, dev.flow.model.task.VolumeSpec volume) {
        return tasks.findById(taskId).invoke(task -> {
            TaskConfig config = TaskViewsSupport.config(task);
            List<dev.flow.model.task.VolumeSpec> volumes = new java.util.ArrayList<>(config.volumes());
            volumes.removeIf(v -> v.name().equals(volume.name()));
            volumes.add(volume);
            task.configJson = write(config.toBuilder().volumes(volumes).build());
            task.updatedAt = Instant.now();
        }).replaceWithVoid();
    }

    /** Mithril confirmed the bid's cancellation. */
    @WithTransaction
    public Uni<Void> markBidCancelled(String taskId, Instant at) {
        return tasks.update("bidCancelledAt = ?1, updatedAt = ?1 where id = ?2 and bidCancelledAt is null", at, taskId)
                .replaceWithVoid();
    }

    /** Mithril confirmed these bids' cancellations (one statement for a sweep's pass). */
    @WithTransaction
    public Uni<Void> markBidsCancelled(java.util.Collection<String> taskIds, Instant at) {
        return tasks.update("bidCancelledAt = ?1, updatedAt = ?1 where id in ?2 and bidCancelledAt is null", at,
                taskIds).replaceWithVoid();
    }

    /** Submissions left between the task row and the bid's record (the service stopped in between). */
    @WithSession
    public Uni<List<TaskEntity>> stuckSubmissions(Instant createdBefore, int limit) {
        return tasks.stuckSubmissions(createdBefore, TaskStatus.PENDING.json(), limit);
    }

    /** See {@link TaskRepository#stopsNotOver}. */
    @WithSession
    public Uni<List<TaskEntity>> stopsNotOver(Instant confirmedBefore, Instant now, int maxResends, int limit) {
        List<String> ended = java.util.Arrays.stream(TaskStatus.values()).filter(TaskStatus::isTerminal)
                .map(TaskStatus::json).toList();
        return tasks.stopsNotOver(ended, confirmedBefore, now, maxResends, limit);
    }

    /** The cancel of a stop that is not over yet was sent again; the next look is at {@code nextCheck}. */
    @WithTransaction
    public Uni<Void> recordStopResent(String taskId, Instant nextCheck) {
        return tasks.update("stopResends = stopResends + 1, stopCheckAt = ?1 where id = ?2", nextCheck, taskId)
                .replaceWithVoid();
    }

    /** Mithril showed the stopped task's bid ended: the stop took, only its status events are behind. */
    @WithTransaction
    public Uni<Void> recordStopTook(String taskId, Instant at) {
        return tasks.update("stopTookAt = ?1 where id = ?2", at, taskId).replaceWithVoid();
    }

    @WithSession
    public Uni<List<TaskEntity>> unconfirmedCancels(Instant before, int limit) {
        return tasks.unconfirmedCancels(before, limit);
    }

    /**
     * Folds a status event into the read model. Idempotent and order-safe: an event older than the last one applied
     * changes nothing, and applying one twice gives the same row.
     *
     * @return whether the task is this service's (false: unknown task, ignored)
     */
    @WithTransaction
    public Uni<Boolean> applyStatus(TaskStatusChanged event) {
        return tasks.findById(event.taskId()).map(task -> {
            if (task == null) {
                return false;
            }
            if (task.statusAt != null && event.at().isBefore(task.statusAt)) {
                return true;
            }
            task.statusAt = event.at();
            task.status = event.to().json();
            task.reason = event.reason() == null ? null : event.reason().toString();
            task.message = event.message();
            if (event.pricePerHour() != null) {
                task.pricePerHour = event.pricePerHour().amount();
            }
            if (event.bidFid() != null && task.bidFid == null) {
                task.bidFid = event.bidFid();
            }
            if (event.region() != null) {
                task.region = event.region();
            }
            task.restartCount = Math.max(task.restartCount, event.restartCount());
            if (!event.instances().isEmpty()) { // a closed task keeps its last known nodes
                task.instancesJson = write(event.instances());
                InstanceInfo first = event.instances().stream().filter(i -> i.sshHost() != null)
                        .min(Comparator.comparingInt(InstanceInfo::node)).orElse(null);
                task.sshHost = first == null ? task.sshHost : first.sshHost();
                task.sshPort = first == null ? task.sshPort : first.sshPort();
            }
            if (event.to() == TaskStatus.RUNNING && task.startedAt == null) {
                task.startedAt = event.at();
            }
            if (event.to().isTerminal()) {
                task.completedAt = Objects.requireNonNullElse(task.completedAt, event.at());
            }
            task.updatedAt = Instant.now();
            return true;
        });
    }

    public static List<InstanceInfo> instancesOf(TaskEntity task) {
        try {
            return FlowJson.mapper().readValue(task.instancesJson, INSTANCES);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String write(Object value) {
        try {
            return FlowJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
