package dev.flow.poller.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.flow.model.event.BidPlaced;
import dev.flow.model.event.CancelRequested;
import dev.flow.model.event.ResubmitTask;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.TaskResubmitted;
import dev.flow.model.event.TaskSnapshot;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.TaskSubmitted;
import dev.flow.model.event.WorkloadExited;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.poller.config.PollerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The tasks this replica watches, keyed by task id. Kafka is the only durable store: the registry is filled from the
 * compacted {@code flow.task.state} topic at start and kept current from {@code flow.task.lifecycle}; each task
 * remembers the partition its events come from, so that ownership can follow the consumer group's partition
 * assignment (a replica polls only the tasks of its partitions, issue 6).
 *
 * <p>Every event handler is idempotent: Kafka delivers at least once and a restart replays events. Ended tasks leave
 * the registry; only their ids are kept for {@code flow.poller.closed-task-memory}, so a redelivered event cannot
 * bring one back.
 */
@ApplicationScoped
public class TaskRegistry {

    private final Map<String, TrackedTask> tasks = new LinkedHashMap<>();
    /** Ended tasks: id → when they ended, oldest first. Only ids: what an ended task was is on the state topic. */
    private final Map<String, Closed> closed = new LinkedHashMap<>();
    private final Duration closedTaskMemory;

    @Inject
    public TaskRegistry(PollerConfig config) {
        this(config.closedTaskMemory());
    }

    public TaskRegistry(Duration closedTaskMemory) {
        this.closedTaskMemory = closedTaskMemory;
    }

    /**
     * A new task: tracked as pending/SUBMITTED, and the first transition to publish. Empty when the task is already
     * known (a replay), so a redelivered TaskSubmitted emits nothing.
     */
    /**
     * An ended task's id: when it ended, its partition (forgotten with the partition on a rebalance), and its trace
     * (the snapshot published after the task closed still continues it).
     */
    private record Closed(Instant endedAt, int partition, String traceparent) {
    }

    public synchronized Optional<TaskStatusChanged> submitted(TaskSubmitted e, int partition) {
        if (closed.containsKey(e.taskId())) {
            return Optional.empty();
        }
        TrackedTask known = tasks.get(e.taskId());
        if (known != null) {
            known.fillFromSubmitted(e);
            return Optional.empty();
        }
        TrackedTask t = TrackedTask.fromSubmitted(e, partition);
        tasks.put(e.taskId(), t);
        return Optional.of(new TaskStatusChanged(t.taskId(), t.project(), null, TaskStatus.PENDING,
                TransitionReason.SUBMITTED, e.at(), Instant.now(), List.of(), t.pricePerHour(), t.numInstances(),
                t.bidFid(), t.region(), t.instanceType(), 0, null));
    }

    /**
     * A TaskSubmitted read again by the restart's replay: fills what a snapshot does not carry (limit price, run time
     * limit) into the known task; publishes nothing and never brings a task back.
     */
    public synchronized void refill(TaskSubmitted e) {
        find(e.taskId()).ifPresent(t -> t.fillFromSubmitted(e));
    }

    /** The trace the task's events continue (its TaskSubmitted record's traceparent); ignored for unknown tasks. */
    public synchronized void traced(String taskId, String traceparent) {
        if (traceparent != null) {
            find(taskId).ifPresent(t -> t.traced(traceparent));
        }
    }

    /** The task's originating traceparent, or null (unknown task, or submitted without a trace). */
    public synchronized String traceparent(String taskId) {
        Closed ended = closed.get(taskId);
        return ended != null ? ended.traceparent() : find(taskId).map(TrackedTask::traceparent).orElse(null);
    }

    public synchronized void bidPlaced(BidPlaced e) {
        find(e.taskId()).ifPresent(t -> t.bidPlaced(e.bidFid(), e.region(), e.limitPrice(), e.at()));
    }

    public synchronized void resubmitted(TaskResubmitted e) {
        find(e.taskId()).ifPresent(t -> t.resubmitted(e.newBidFid(), e.restartCount(), e.at()));
    }

    public synchronized void cancelRequested(CancelRequested e) {
        find(e.taskId()).ifPresent(t -> t.stopRequested(e.reason() == null ? TransitionReason.USER_CANCEL : e.reason()));
    }

    public synchronized void stopRequested(StopTask e) {
        find(e.taskId()).ifPresent(t -> t.stopRequested(e.reason()));
    }

    public synchronized void workloadExited(WorkloadExited e) {
        find(e.taskId()).ifPresent(t -> t.workloadExited(e.exitCode()));
    }

    /** A snapshot read back from the state topic; an older version never replaces a newer one. */
    public synchronized void restore(TaskSnapshot s, int partition) {
        if (closed.containsKey(s.taskId())) {
            return;
        }
        if (s.status().isTerminal()) {
            tasks.remove(s.taskId());
            close(s.taskId(), s.completedAt() != null ? s.completedAt() : s.at(), partition, null);
            return;
        }
        TrackedTask known = tasks.get(s.taskId());
        if (known == null || known.status() == null || known.version() < s.version()) {
            tasks.put(s.taskId(), TrackedTask.fromSnapshot(s, partition));
        }
    }

    /** Forgets everything: before a rebuild of every partition. */
    public synchronized void clear() {
        tasks.clear();
        closed.clear();
    }

    /**
     * Forgets the tasks (active and ended) of these partitions: the consumer group gave them to another replica, or
     * they are about to be read again from the state topic. From now on this replica publishes nothing for them.
     */
    public synchronized int dropPartitions(java.util.Collection<Integer> partitions) {
        int before = tasks.size();
        tasks.values().removeIf(t -> partitions.contains(t.partition()));
        closed.values().removeIf(c -> partitions.contains(c.partition()));
        return before - tasks.size();
    }

    /** Whether the platform knows this task: watched now, or ended recently (orphan detection). */
    public synchronized boolean knows(String taskId) {
        return tasks.containsKey(taskId) || closed.containsKey(taskId);
    }

    /** The poller (or a replay of flow.task.commands) asked the submitter to resubmit the task. */
    public synchronized void resubmitRequested(ResubmitTask e) {
        find(e.taskId()).ifPresent(t -> t.resubmitRequested(e.at()));
    }

    /** A preempted task that opted into resubmission and waits for the poller's decision (see README). */
    public record Preempted(String taskId, int restartCount, int maxRestarts, Instant preemptedAt) {
    }

    public synchronized List<Preempted> awaitingResubmission() {
        return tasks.values().stream().filter(TrackedTask::awaitsResubmission)
                .map(t -> new Preempted(t.taskId(), t.restartCount(), t.retry().maxRestarts(), t.at())).toList();
    }
    /** Whether the task ended (and is no longer watched). */
    public synchronized boolean isClosed(String taskId) {
        return closed.containsKey(taskId);
    }

    /** Copies of the non-terminal tasks, grouped by project (name or fid as the events give it). */
    public synchronized Map<String, List<TaskView>> activeByProject() {
        Map<String, List<TaskView>> out = new TreeMap<>();
        for (TrackedTask t : tasks.values()) {
            if (t.isActive() && t.project() != null) {
                out.computeIfAbsent(t.project(), p -> new ArrayList<>()).add(TaskView.of(t));
            }
        }
        return out;
    }

    /** Copies of every non-terminal task (the polling interval depends on them). */
    public synchronized List<TaskView> active() {
        return tasks.values().stream().filter(TrackedTask::isActive).map(TaskView::of).toList();
    }

    /** The active tasks that ran past their {@code max_run_time_hours} and are not being stopped yet. */
    public synchronized List<TaskView> outOfTime(Instant now) {
        return tasks.values().stream().filter(t -> t.ranOutOfTime(now)).map(TaskView::of).toList();
    }

    /**
     * The poller asked the submitter to stop the task for {@code MAX_RUNTIME}: remembered as the task's stop reason
     * at once, so no later cycle asks again before the command comes back from {@code flow.task.commands} (where a
     * restart finds it again).
     */
    public synchronized void maxRunTimeStopSent(String taskId) {
        find(taskId).ifPresent(t -> t.stopRequested(TransitionReason.MAX_RUNTIME));
    }

    public synchronized Optional<TaskView> view(String taskId) {
        return find(taskId).map(TaskView::of);
    }

    /** When the oldest non-terminal task was submitted; empty when none is active. */
    public synchronized Optional<Instant> oldestActiveCreatedAt() {
        return tasks.values().stream().filter(TrackedTask::isActive).map(TrackedTask::createdAt)
                .filter(java.util.Objects::nonNull).min(Instant::compareTo);
    }

    /** The same, among the tasks of these partitions (a rebalance's rebuild). */
    public synchronized Optional<Instant> oldestActiveCreatedAt(java.util.Collection<Integer> partitions) {
        return tasks.values().stream().filter(TrackedTask::isActive).filter(t -> partitions.contains(t.partition()))
                .map(TrackedTask::createdAt).filter(java.util.Objects::nonNull).min(Instant::compareTo);
    }

    public synchronized int activeCount() {
        return (int) tasks.values().stream().filter(TrackedTask::isActive).count();
    }

    public synchronized void unexplainedTerminationSeen(String taskId, Instant when) {
        find(taskId).ifPresent(t -> t.unexplainedTerminationSeen(when));
    }

    /**
     * Records the transitions a cycle publishes and returns the snapshot to publish after them. Empty when the task
     * changed under the cycle (another version was committed meanwhile), so a stale cycle never overwrites state.
     */
    public synchronized Optional<TaskSnapshot> commit(TaskView seen, List<TaskStatusChanged> changes) {
        TrackedTask t = tasks.get(seen.taskId());
        if (t == null || t.version() != seen.version() || changes.isEmpty()) {
            return Optional.empty();
        }
        changes.forEach(t::apply);
        TaskSnapshot snapshot = t.snapshot();
        if (snapshot.status().isTerminal()) {
            tasks.remove(t.taskId());
            close(t.taskId(), snapshot.at(), t.partition(), t.traceparent());
        }
        return Optional.of(snapshot);
    }

    private void close(String taskId, Instant endedAt, int partition, String traceparent) {
        Instant horizon = Instant.now().minus(closedTaskMemory);
        if (endedAt.isBefore(horizon)) {
            return;
        }
        closed.put(taskId, new Closed(endedAt, partition, traceparent));
        // entries arrive roughly in time order: forget from the oldest until one is recent enough
        var oldest = closed.entrySet().iterator();
        while (oldest.hasNext() && oldest.next().getValue().endedAt().isBefore(horizon)) {
            oldest.remove();
        }
    }

    /** Records the first transition of a new task (see {@link #submitted}) and returns its snapshot. */
    public synchronized Optional<TaskSnapshot> commitFirst(TaskStatusChanged first) {
        TrackedTask t = tasks.get(first.taskId());
        if (t == null || t.status() != null) {
            return Optional.empty();
        }
        t.apply(first);
        return Optional.of(t.snapshot());
    }

    private Optional<TrackedTask> find(String taskId) {
        return Optional.ofNullable(tasks.get(taskId));
    }
}
