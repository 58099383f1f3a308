package dev.flow.model.event;

import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The latest full state of a task, published on the compacted state topic so a consumer can rebuild its view.
 *
 * @param reason       reason of the last status change
 * @param pricePerHour current price per instance-hour
 * @param version      increases by one with every change of this task: lets a consumer drop stale snapshots
 * @param at           when this state became true (event time of the last change)
 */
@EventType("dev.flow.task.snapshot.v1")
public record TaskSnapshot(String taskId, String project, String name, TaskStatus status, TransitionReason reason,
                           List<InstanceInfo> instances, Instant createdAt, Instant startedAt, Instant completedAt,
                           String bidFid, String region, String instanceType, int numInstances, Money pricePerHour,
                           int restartCount, String message, long version, Instant at) implements TaskStateEvent {

    public TaskSnapshot {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(at, "at");
        instances = instances == null ? List.of() : List.copyOf(instances);
    }

    @Override
    public String key() {
        return taskId;
    }

    @Override
    public Instant time() {
        return at;
    }
}
