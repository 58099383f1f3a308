package dev.flow.model.event;

import dev.flow.model.status.TransitionReason;

import java.time.Instant;
import java.util.Objects;

/** Asks the submitter to cancel a task's bid ({@code MAX_RUNTIME}, {@code BUDGET_STOP}, {@code ORPHAN}, ...). */
@EventType("dev.flow.task.command.stop.v1")
public record StopTask(String taskId, TransitionReason reason, String requestedBy, Instant at) implements TaskCommand {

    public StopTask {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(reason, "reason");
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
