package dev.flow.poller.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.flow.model.event.InstanceInfo;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;

/**
 * An immutable copy of a {@link TrackedTask} that one polling cycle works on without holding the registry lock.
 *
 * @param startedAt  when the task first became running (null before)
 * @param maxRunTime its {@code max_run_time_hours}, null when unlimited
 */
public record TaskView(String taskId, String project, String name, String instanceType, int numInstances,
                       String region, Money limitPrice, String bidFid, String bidName, int restartCount,
                       TaskStatus status, TransitionReason reason, Instant at, List<InstanceInfo> instances,
                       TransitionReason stopReason, Integer exitCode, Instant unexplainedTerminationSeenAt,
                       long version, Instant startedAt, Duration maxRunTime, int publishedRestartCount,
                       int partition, Money pricePerHour) {

    /** Without the bookkeeping of resubmissions and ownership (unit tests). */
    public TaskView(String taskId, String project, String name, String instanceType, int numInstances, String region,
                    Money limitPrice, String bidFid, String bidName, int restartCount, TaskStatus status,
                    TransitionReason reason, Instant at, List<InstanceInfo> instances, TransitionReason stopReason,
                    Integer exitCode, Instant unexplainedTerminationSeenAt, long version, Instant startedAt,
                    Duration maxRunTime) {
        this(taskId, project, name, instanceType, numInstances, region, limitPrice, bidFid, bidName, restartCount,
                status, reason, at, instances, stopReason, exitCode, unexplainedTerminationSeenAt, version, startedAt,
                maxRunTime, restartCount, -1, null);
    }

    static TaskView of(TrackedTask t) {
        return new TaskView(t.taskId(), t.project(), t.name(), t.instanceType(), t.numInstances(), t.region(),
                t.limitPrice(), t.bidFid(), t.bidName(), t.restartCount(), t.status(), t.reason(), t.at(),
                t.instances(), t.stopReason(), t.exitCode(), t.unexplainedTerminationSeenAt(), t.version(), t.startedAt(),
                t.maxRunTime(), t.publishedRestartCount(), t.partition(), t.pricePerHour());
    }

    /** The submitter replaced the bid (TaskResubmitted) and no transition said so yet. */
    public boolean newBidUnpublished() {
        return restartCount != publishedRestartCount;
    }
}
