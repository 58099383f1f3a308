package dev.flow.poller.messaging;

import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.ResubmitTask;
import dev.flow.model.event.TaskSnapshot;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.poller.domain.TaskRegistry;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.tracing.TraceParents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The poller's outgoing events, as binary-mode CloudEvents keyed by task id: status changes on
 * {@code flow.task.status}, snapshots on the compacted {@code flow.task.state}, requests to the submitter on
 * {@code flow.task.commands}. Each {@code Uni} completes when the broker acknowledged the record. Each record
 * continues its task's trace (the traceparent its TaskSubmitted came with, kept in the {@link TaskRegistry}): the
 * polling cycle that observed the change runs outside any request, so the current context would start a new trace.
 */
@ApplicationScoped
public class EventPublisher {

    static final String SOURCE = "/flow/status-poller";
    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    private final MutinyEmitter<byte[]> status;
    private final MutinyEmitter<byte[]> state;
    private final MutinyEmitter<byte[]> commands;
    private final MeterRegistry meters;
    private final TaskRegistry registry;

    public EventPublisher(@Channel("status") MutinyEmitter<byte[]> status,
                          @Channel("state") MutinyEmitter<byte[]> state,
                          @Channel("commands-out") MutinyEmitter<byte[]> commands, MeterRegistry meters,
                          TaskRegistry registry) {
        this.status = status;
        this.state = state;
        this.commands = commands;
        this.meters = meters;
        this.registry = registry;
    }

    /** The event as a record that continues its task's trace. */
    private Message<byte[]> traced(FlowEvent event) {
        return TraceParents.childOf(CloudEventRecords.toMessage(event, SOURCE), registry.traceparent(event.key()));
    }

    public Uni<Void> statusChanged(TaskStatusChanged event) {
        return status.sendMessage(traced(event)).invoke(() -> {
            // by reason kind (WORKLOAD_EXIT without its code) to keep the metric's cardinality small
            Counter.builder("flow.poller.transitions").description("Published status transitions")
                    .tag("to", event.to().json()).tag("reason", event.reason().kind().name())
                    .register(meters).increment();
            LOG.infof("task %s: %s -> %s (%s) at %s", event.taskId(), event.from(), event.to(), event.reason(),
                    event.at());
        });
    }

    public Uni<Void> snapshot(TaskSnapshot snapshot) {
        return state.sendMessage(traced(snapshot));
    }

    public Uni<Void> resubmit(ResubmitTask command) {
        return commands.sendMessage(traced(command));
    }

    public Uni<Void> stop(StopTask command) {
        return commands.sendMessage(traced(command));
    }
}
