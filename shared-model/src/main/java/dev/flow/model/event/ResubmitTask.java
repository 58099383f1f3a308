package dev.flow.model.event;

import dev.flow.model.status.TransitionReason;

import java.time.Instant;
import java.util.Objects;

/** Asks the submitter to place a new bid for a preempted task. */
@EventType("dev.flow.task.command.resubmit.v1")
public record ResubmitTask(String taskId, TransitionReason reason, Instant at) implements TaskCommand {

    public ResubmitTask {
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
