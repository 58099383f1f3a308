package dev.flow.poller.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskSnapshot;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.TaskSubmitted;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.model.task.RetryPolicy;

/**
 * What the poller knows about one task: the intent (from {@code flow.task.lifecycle}), the causes of a coming end
 * (cancel, stop, workload exit) and the last published status. Mutable; every access goes through the
 * {@link TaskRegistry}'s lock, so the Kafka consumer thread and the polling cycle never see half an update.
 */
public final class TrackedTask {

    private final String taskId;
    private String project;
    private String name;
    private String instanceType;
    private int numInstances;
    private String region;
    private Money limitPrice;
    private Instant createdAt;
    /**
     * The task's {@code max_run_time_hours}, null when unlimited. Not in the (shared) snapshot: after a restart the
     * replayed TaskSubmitted fills it again (see {@link #fillFromSubmitted}).
     */
    private Duration maxRunTime;
    /**
     * The task's {@code retry} policy (on_preemption, max_restarts), from TaskSubmitted; like the run time limit it is
     * not in the snapshot and a restart's replayed TaskSubmitted fills it again.
     */
    private RetryPolicy retry;
    /** The restart count of the last published transition: a new bid (TaskResubmitted) is published once. */
    private int publishedRestartCount;
    /**
     * When the last {@code ResubmitTask} was requested (null when never). A request made at or after the current
     * preemption's transition ({@link #at}) answers that preemption: one request per preemption, and a command
     * replayed after a restart restores it whatever the replay's order.
     */
    private Instant resubmitRequestedAt;

    private String bidFid;
    private Instant bidSetAt;
    private int restartCount;

    private TaskStatus status;
    private TransitionReason reason;
    private Instant at;
    private List<InstanceInfo> instances = List.of();
    private Money pricePerHour;
    private Instant startedAt;
    private Instant completedAt;
    private String message;
    private long version;

    /** Why the bid is being cancelled (CancelRequested / StopTask); null when nobody asked. */
    private TransitionReason stopReason;
    /** The workload's exit code: the first non-zero exit of any node, else 0; null before any exit. */
    private Integer exitCode;
    /** When the poller first saw the bid Terminated without knowing why (for the grace period). */
    private Instant unexplainedTerminationSeenAt;
    /** The Kafka partition of the task's lifecycle events: its owner in a consumer group (issue 6). */
    private int partition = -1;
    /**
     * The W3C traceparent of the task's TaskSubmitted record (the trace of its {@code POST /v1/tasks}): the poller's
     * events of the task are published as its children, so one trace runs from the POST to the task's end. Null when
     * the record had none; not in the snapshot, the restart's replayed TaskSubmitted brings it back.
     */
    private String traceparent;

    public TrackedTask(String taskId) {
        this.taskId = taskId;
    }

    static TrackedTask fromSubmitted(TaskSubmitted e, int partition) {
        TrackedTask t = new TrackedTask(e.taskId());
        t.project = e.project();
        t.name = e.name();
        t.instanceType = e.instanceType();
        t.numInstances = Math.max(1, e.numInstances());
        t.region = e.region();
        t.limitPrice = e.limitPrice();
        t.createdAt = e.at();
        t.pricePerHour = Money.ZERO; // nothing is paid before an instance runs; the limit is not a price paid
        t.maxRunTime = maxRunTimeOf(e);
        t.retry = e.config() == null ? null : e.config().retry();
        t.partition = partition;
        return t;
    }

    /** {@code max_run_time_hours} as a duration, to the millisecond up; null when the task has no limit. */
    static Duration maxRunTimeOf(TaskSubmitted e) {
        BigDecimal hours = e.config() == null ? null : e.config().maxRunTimeHours();
        if (hours == null || hours.signum() <= 0) {
            return null;
        }
        return Duration.ofMillis(hours.multiply(BigDecimal.valueOf(3_600_000L)).setScale(0, RoundingMode.CEILING)
                .longValueExact());
    }

    static TrackedTask fromSnapshot(TaskSnapshot s, int partition) {
        TrackedTask t = new TrackedTask(s.taskId());
        t.project = s.project();
        t.name = s.name();
        t.instanceType = s.instanceType();
        t.numInstances = Math.max(1, s.numInstances());
        t.region = s.region();
        t.createdAt = s.createdAt();
        t.bidFid = s.bidFid();
        t.bidSetAt = s.at();
        t.restartCount = s.restartCount();
        t.publishedRestartCount = s.restartCount();
        t.status = s.status();
        t.reason = s.reason();
        t.at = s.at();
        t.instances = s.instances();
        t.pricePerHour = s.pricePerHour();
        // a snapshot has no limit price; every cycle reads it from the bid itself
        t.startedAt = s.startedAt();
        t.completedAt = s.completedAt();
        t.message = s.message();
        t.version = s.version();
        t.partition = partition;
        return t;
    }

    /** Applies a published transition: the state the next cycle compares against. */
    void apply(TaskStatusChanged change) {
        status = change.to();
        reason = change.reason();
        at = change.at();
        instances = change.instances();
        pricePerHour = change.pricePerHour();
        message = change.message();
        if (change.bidFid() != null) {
            bidFid = change.bidFid();
        }
        if (change.region() != null) {
            region = change.region();
        }
        publishedRestartCount = Math.max(publishedRestartCount, change.restartCount());
        if (change.to() == TaskStatus.RUNNING && startedAt == null) {
            startedAt = change.at();
        }
        if (change.to().isTerminal()) {
            completedAt = change.at();
        }
        version++;
    }

    public TaskSnapshot snapshot() {
        return new TaskSnapshot(taskId, project, name, status, reason, instances, createdAt, startedAt, completedAt,
                bidFid, region, instanceType, numInstances, pricePerHour, restartCount, message, version, at);
    }

    public boolean isActive() {
        return status != null && !status.isTerminal();
    }

    /** The bid name the submitter gives this task at Mithril (team decision): {@code flow-<task id>}. */
    public String bidName() {
        // a resubmission's bid is flow-<task id>-r<k> (contract with the submitter)
        return restartCount > 0 ? "flow-" + taskId + "-r" + restartCount : "flow-" + taskId;
    }

    public String taskId() { return taskId; }
    public String project() { return project; }
    public String name() { return name; }
    public String instanceType() { return instanceType; }
    public int numInstances() { return numInstances; }
    public String region() { return region; }
    public Money limitPrice() { return limitPrice; }
    public Instant createdAt() { return createdAt; }
    public Duration maxRunTime() { return maxRunTime; }
    public Instant startedAt() { return startedAt; }
    public String bidFid() { return bidFid; }
    public int restartCount() { return restartCount; }
    public TaskStatus status() { return status; }
    public TransitionReason reason() { return reason; }
    public Instant at() { return at; }
    public List<InstanceInfo> instances() { return instances; }
    public Money pricePerHour() { return pricePerHour; }
    public long version() { return version; }
    public TransitionReason stopReason() { return stopReason; }
    public Integer exitCode() { return exitCode; }
    public Instant unexplainedTerminationSeenAt() { return unexplainedTerminationSeenAt; }
    public int partition() { return partition; }
    public String traceparent() { return traceparent; }
    public RetryPolicy retry() { return retry; }
    public int publishedRestartCount() { return publishedRestartCount; }

    void resubmitRequested(Instant when) {
        if (resubmitRequestedAt == null || when.isAfter(resubmitRequestedAt)) {
            resubmitRequestedAt = when;
        }
    }

    /**
     * Whether the task waits for a decision on its preemption: its preemption completed (pending, PREEMPTED: the
     * instances are gone and the bid is back in the auction, not re-allocated), it opted in with
     * {@code retry.on_preemption}, nobody asked to stop it, no new bid is on its way (a TaskResubmitted not yet
     * published), and no ResubmitTask was requested since this preemption.
     */
    boolean awaitsResubmission() {
        return status == TaskStatus.PENDING && TransitionReason.PREEMPTED.equals(reason) && retry != null
                && retry.onPreemption() && stopReason == null && exitCode == null
                && restartCount == publishedRestartCount
                && (resubmitRequestedAt == null || resubmitRequestedAt.isBefore(at));
    }

    void bidPlaced(String fid, String bidRegion, Money limit, Instant when) {
        // a replayed, older BidPlaced must not replace the bid a later TaskResubmitted installed
        if (bidFid == null || bidSetAt == null || !when.isBefore(bidSetAt)) {
            bidFid = fid;
            bidSetAt = when;
            if (bidRegion != null) {
                region = bidRegion;
            }
            if (limit != null) {
                limitPrice = limit;
            }
        }
    }

    void resubmitted(String newBidFid, int restarts, Instant when) {
        if (bidSetAt == null || !when.isBefore(bidSetAt)) {
            bidFid = newBidFid;
            bidSetAt = when;
            restartCount = Math.max(restartCount, restarts);
            unexplainedTerminationSeenAt = null;
        }
    }

    void stopRequested(TransitionReason why) {
        if (why == null) {
            return;
        }
        if (why.kind() == TransitionReason.Kind.WORKLOAD_EXIT) {
            workloadExited(why.exitCode());
        } else if (stopReason == null) {
            stopReason = why;
        }
    }

    void workloadExited(int code) {
        if (exitCode == null || exitCode == 0) {
            exitCode = code;
        }
    }

    void unexplainedTerminationSeen(Instant when) {
        if (unexplainedTerminationSeenAt == null) {
            unexplainedTerminationSeenAt = when;
        }
    }

    /** Keeps the first trace seen: the task's originating one. */
    void traced(String traceparent) {
        if (this.traceparent == null) {
            this.traceparent = traceparent;
        }
    }

    void fillFromSubmitted(TaskSubmitted e) {
        // a snapshot lacks the limit price of a never-allocated task and the run time limit: take them from the
        // replayed TaskSubmitted
        if (limitPrice == null) {
            limitPrice = e.limitPrice();
        }
        if (maxRunTime == null) {
            maxRunTime = maxRunTimeOf(e);
        }
        if (retry == null && e.config() != null) {
            retry = e.config().retry();
        }
    }

    /**
     * Whether the task ran past its {@code max_run_time_hours} and nobody asked to stop it yet. The run time is the
     * wall time since the task first became running ({@code startedAt}, Mithril's time, kept in the snapshot): a
     * preempted or paused stretch after that counts too, so the limit bounds how long the task may hold the
     * platform, and a restart measures exactly the same. A task with a stop reason (this poller's own earlier
     * {@code StopTask(MAX_RUNTIME)}, replayed from {@code flow.task.commands} after a restart, a user cancel, a
     * budget stop) or a workload exit is already on its way out.
     */
    boolean ranOutOfTime(Instant now) {
        return isActive() && maxRunTime != null && startedAt != null && stopReason == null && exitCode == null
                && now.isAfter(startedAt.plus(maxRunTime));
    }
}
