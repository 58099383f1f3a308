package dev.flow.model.event;

import java.time.Instant;
import java.util.Objects;

/** After a preemption the submitter replaced the task's bid ({@code retry.on_preemption}). */
@EventType("dev.flow.task.resubmitted.v1")
public record TaskResubmitted(String taskId, int restartCount, String oldBidFid, String newBidFid, Instant at)
        implements TaskLifecycleEvent {

    public TaskResubmitted {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(at, "at");
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
