package dev.flow.model.event;

import java.time.Instant;
import java.util.Objects;

/** The log streamer saw the workload of one node exit. */
@EventType("dev.flow.task.workload.exited.v1")
public record WorkloadExited(String taskId, int node, int exitCode, Instant at) implements TaskLifecycleEvent {

    public WorkloadExited {
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
