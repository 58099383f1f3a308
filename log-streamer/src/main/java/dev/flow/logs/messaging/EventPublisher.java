package dev.flow.logs.messaging;

import dev.flow.model.event.LogLine;
import dev.flow.model.event.WorkloadExited;
import dev.flow.service.messaging.CloudEventRecords;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/** Publishes the log streamer's events: lines on {@code flow.task.logs}, exits on {@code flow.task.lifecycle}. */
@ApplicationScoped
public class EventPublisher {

    public static final String SOURCE = "/flow/log-streamer";

    private final MutinyEmitter<byte[]> logs;
    private final MutinyEmitter<byte[]> lifecycle;

    public EventPublisher(@Channel("task-logs") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                          MutinyEmitter<byte[]> logs,
                          @Channel("task-lifecycle") MutinyEmitter<byte[]> lifecycle) {
        this.logs = logs;
        this.lifecycle = lifecycle;
    }

    /**
     * Sends one line; the Uni completes when Kafka acknowledged it. Calls made in seq order reach the partition in
     * that order (one producer, idempotent, one key).
     */
    public Uni<Void> line(LogLine line) {
        return logs.sendMessage(CloudEventRecords.toMessage(line, SOURCE));
    }

    public Uni<Void> exited(WorkloadExited event) {
        return lifecycle.sendMessage(CloudEventRecords.toMessage(event, SOURCE));
    }
}
