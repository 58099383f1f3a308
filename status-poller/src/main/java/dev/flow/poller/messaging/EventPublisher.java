package dev.flow.poller.messaging;

import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.ResubmitTask;
import dev.flow.model.event.TaskSnapshot;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.poller.domain.TaskRegistry;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.tracing.TraceParents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The poller's outgoing events, as binary-mode CloudEvents keyed by task id: status changes on
 * {@code flow.task.status}, snapshots on the compacted {@code flow.task.state}, requests to the submitter on
 * {@code flow.task.commands}. Each {@code Uni} completes when the broker acknowledged the record. Each record
 * continues its task's trace (the traceparent its TaskSubmitted came with, kept in the {@link TaskRegistry}): the
 * polling cycle that observed the change runs outside any request, so the current context would start a new trace.
 * <p>
 * A status change is published under an id derived from the transition itself ({@link #transitionId}), so a
 * transition published again (a send that timed out although the broker wrote it, then the next cycle or a restarted
 * poller deriving the same step) is a repeat under the same {@code ce_id}, which consumers recognise. A send that
 * failed is remembered until the same transition is sent again (or a later step of its task is acknowledged), and
 * that resend carries the first one's content (its {@code observedAt} and price), so a repeat is the same record,
 * not only the same id.
 */
@ApplicationScoped
public class EventPublisher {

    static final String SOURCE = "/flow/status-poller";
    /** Transitions whose send failed, kept for their resend; bounded (oldest dropped) so an outage cannot grow it. */
    static final int MAX_UNACKNOWLEDGED = 4_096;
    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    private final MutinyEmitter<byte[]> status;
    private final MutinyEmitter<byte[]> state;
    private final MutinyEmitter<byte[]> commands;
    private final MeterRegistry meters;
    private final TaskRegistry registry;
    private final Map<String, TaskStatusChanged> unacknowledged = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TaskStatusChanged> eldest) {
            return size() > MAX_UNACKNOWLEDGED;
        }
    };

    public EventPublisher(@Channel("status") MutinyEmitter<byte[]> status,
                          @Channel("state") MutinyEmitter<byte[]> state,
                          @Channel("commands-out") MutinyEmitter<byte[]> commands, MeterRegistry meters,
                          TaskRegistry registry) {
        this.status = status;
        this.state = state;
        this.commands = commands;
        this.meters = meters;
        this.registry = registry;
        Gauge.builder("flow.poller.status.unacknowledged", this, EventPublisher::unacknowledged)
                .description("Status changes whose send failed, kept for their resend (at most "
                        + MAX_UNACKNOWLEDGED + ")").register(meters);
    }

    /** The event as a record that continues its task's trace. */
    private Message<byte[]> traced(FlowEvent event) {
        return continuingTrace(CloudEventRecords.toMessage(event, SOURCE), event);
    }

    private Message<byte[]> continuingTrace(Message<byte[]> record, FlowEvent event) {
        return TraceParents.childOf(record, registry.traceparent(event.key()));
    }

    /**
     * The id of a transition: the same for the same step of the same task (task, bid, restart, from, to, reason,
     * Mithril's time of the step and the nodes' endpoints), whenever and by whichever replica it is derived; not the
     * processing time or the price, which a later derivation of the same step may see differently.
     */
    public static String transitionId(TaskStatusChanged e) {
        StringBuilder key = new StringBuilder("flow.task.status|").append(e.taskId()).append('|').append(e.bidFid())
                .append('|').append(e.restartCount()).append('|').append(e.from()).append('|').append(e.to())
                .append('|').append(e.reason()).append('|').append(e.at());
        for (InstanceInfo i : e.instances()) {
            key.append('|').append(i.fid()).append(',').append(i.node()).append(',').append(i.sshHost()).append(',')
                    .append(i.sshPort());
        }
        return UUID.nameUUIDFromBytes(key.toString().getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * Publishes a transition; the {@code Uni} completes with the event as sent (the first content of a transition
     * whose earlier send failed, see the class comment), once the broker acknowledged it.
     */
    public Uni<TaskStatusChanged> statusChanged(TaskStatusChanged derived) {
        String id = transitionId(derived);
        TaskStatusChanged event = firstSent(id, derived);
        return status.sendMessage(continuingTrace(CloudEventRecords.toMessage(event, SOURCE, id), event))
                .onFailure().invoke(() -> remember(id, event))
                .map(ignored -> {
                    forget(id, event);
                    // by reason kind (WORKLOAD_EXIT without its code) to keep the metric's cardinality small
                    Counter.builder("flow.poller.transitions").description("Published status transitions")
                            .tag("to", event.to().json()).tag("reason", event.reason().kind().name())
                            .register(meters).increment();
                    LOG.infof("task %s: %s -> %s (%s) at %s", event.taskId(), event.from(), event.to(),
                            event.reason(), event.at());
                    return event;
                });
    }

    /** The content this transition was first sent with, if that send failed; else the one just derived. */
    private synchronized TaskStatusChanged firstSent(String id, TaskStatusChanged derived) {
        return unacknowledged.getOrDefault(id, derived);
    }

    private synchronized void remember(String id, TaskStatusChanged event) {
        unacknowledged.putIfAbsent(id, event);
    }

    /** Forgets the acknowledged step, and its task's remembered earlier steps: a later one is on the broker. */
    private synchronized void forget(String id, TaskStatusChanged acknowledged) {
        if (!unacknowledged.isEmpty()) {
            unacknowledged.remove(id);
            unacknowledged.values().removeIf(e -> e.taskId().equals(acknowledged.taskId())
                    && e.at().isBefore(acknowledged.at()));
        }
    }

    /** How many failed sends wait for their resend ({@code flow_poller_status_unacknowledged}). */
    synchronized int unacknowledged() {
        return unacknowledged.size();
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
