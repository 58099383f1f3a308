package dev.flow.model.event;

import dev.flow.model.status.TransitionReason;

import java.time.Instant;
import java.util.Objects;

/**
 * Someone asked for a task to stop, and the submitter accepted the request.
 *
 * @param reason      {@code USER_CANCEL}, {@code MAX_RUNTIME}, {@code BUDGET_STOP}, {@code WORKLOAD_EXIT(code)}, ...
 * @param requestedBy who asked: a user/subject or a service name
 */
@EventType("dev.flow.task.cancel.requested.v1")
public record CancelRequested(String taskId, TransitionReason reason, String requestedBy, Instant at)
        implements TaskLifecycleEvent {

    public CancelRequested {
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
