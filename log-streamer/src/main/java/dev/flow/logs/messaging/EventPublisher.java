package dev.flow.logs.messaging;

import dev.flow.model.event.LogLine;
import dev.flow.model.event.WorkloadExited;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.tracing.TaskTraces;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Publishes the log streamer's events: lines on {@code flow.task.logs}, exits on {@code flow.task.lifecycle}. Each
 * continues its task's trace ({@link TaskTraces}, learnt from the task's status records): lines are read over SSH,
 * outside any record's context.
 */
@ApplicationScoped
public class EventPublisher {

    public static final String SOURCE = "/flow/log-streamer";

    private final MutinyEmitter<byte[]> logs;
    private final MutinyEmitter<byte[]> lifecycle;
    private final TaskTraces traces;

    public EventPublisher(@Channel("task-logs") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                          MutinyEmitter<byte[]> logs,
                          @Channel("task-lifecycle") MutinyEmitter<byte[]> lifecycle, TaskTraces traces) {
        this.logs = logs;
        this.lifecycle = lifecycle;
        this.traces = traces;
    }

    /**
     * Sends one line; the Uni completes when Kafka acknowledged it. Calls made in seq order reach the partition in
     * that order (one producer, idempotent, one key).
     */
    public Uni<Void> line(LogLine line) {
        return logs.sendMessage(traces.continueTrace(line.taskId(), CloudEventRecords.toMessage(line, SOURCE)));
    }

    public Uni<Void> exited(WorkloadExited event) {
        return lifecycle.sendMessage(traces.continueTrace(event.taskId(),
                CloudEventRecords.toMessage(event, SOURCE)));
    }
}
