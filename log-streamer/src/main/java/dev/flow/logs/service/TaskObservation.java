package dev.flow.logs.service;

import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskSnapshot;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;

import java.time.Instant;
import java.util.List;

/**
 * What the collector needs of a task, from either a status change ({@code flow.task.status}) or a snapshot
 * ({@code flow.task.state}, read to rebuild after a restart or rebalance). {@code at} orders them: the same change
 * carries the same time in both.
 */
public record TaskObservation(String taskId, String project, TaskStatus status, List<InstanceInfo> instances,
                              int numInstances, int restartCount, Instant at, TransitionReason reason) {

    public static TaskObservation of(TaskStatusChanged e) {
        return new TaskObservation(e.taskId(), e.project(), e.to(), e.instances(), e.numInstances(), e.restartCount(),
                e.at(), e.reason());
    }

    public static TaskObservation of(TaskSnapshot s) {
        return new TaskObservation(s.taskId(), s.project(), s.status(), s.instances(), s.numInstances(),
                s.restartCount(), s.at(), s.reason());
    }
}
