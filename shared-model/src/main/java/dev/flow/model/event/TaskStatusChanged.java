package dev.flow.model.event;

import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A task changed status.
 *
 * @param from         previous status, null for the first status of a task
 * @param at           when it happened: Mithril's history time when known, else when observed (event time)
 * @param observedAt   when the poller noticed (processing time)
 * @param instances    the task's nodes as last observed
 * @param pricePerHour the price paid per instance-hour, never the limit: the spot price capped by the limit while
 *                     instances are held (running, preemption notice), zero while nothing is billed (pending,
 *                     paused); on a terminal event the price paid when the task ended (zero if it never ran)
 * @param message      a human explanation, or null
 */
@EventType("dev.flow.task.status.changed.v1")
public record TaskStatusChanged(String taskId, String project, TaskStatus from, TaskStatus to,
                                TransitionReason reason, Instant at, Instant observedAt,
                                List<InstanceInfo> instances, Money pricePerHour, int numInstances, String bidFid,
                                String region, String instanceType, int restartCount, String message)
        implements TaskStatusEvent {

    public TaskStatusChanged {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(to, "to");
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
