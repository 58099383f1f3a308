package dev.flow.poller.messaging;

import dev.flow.model.event.BidPlaced;
import dev.flow.model.event.CancelRequested;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.TaskResubmitted;
import dev.flow.model.event.TaskSubmitted;
import dev.flow.model.event.WorkloadExited;
import dev.flow.poller.domain.TaskRegistry;
import dev.flow.service.messaging.CloudEventRecords;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Learns the tasks to watch from {@code flow.task.lifecycle} (consumer group {@code flow-status-poller}) and the
 * stop reasons from {@code flow.task.commands}. Processing waits for the start-up rebuild from the state topic, so a
 * replayed event finds the rebuilt task and is recognised as a duplicate.
 */
@ApplicationScoped
public class LifecycleConsumer {

    private static final Logger LOG = Logger.getLogger(LifecycleConsumer.class);

    private final TaskRegistry registry;
    private final StateTopic stateTopic;
    private final EventPublisher publisher;

    public LifecycleConsumer(TaskRegistry registry, StateTopic stateTopic, EventPublisher publisher) {
        this.registry = registry;
        this.stateTopic = stateTopic;
        this.publisher = publisher;
    }

    @Incoming("lifecycle")
    public Uni<Void> lifecycle(ConsumerRecord<String, byte[]> record) {
        return stateTopic.ready().chain(() -> handle(record));
    }

    @Incoming("commands-in")
    public Uni<Void> commands(ConsumerRecord<String, byte[]> record) {
        return stateTopic.ready().chain(() -> handle(record));
    }

    private Uni<Void> handle(ConsumerRecord<String, byte[]> record) {
        FlowEvent event;
        try {
            event = CloudEventRecords.fromRecord(record).orElse(null);
        } catch (RuntimeException e) {
            // a malformed record must not stop the channel: skip it, loudly
            LOG.errorf("skipping unreadable record %s-%d@%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return Uni.createFrom().voidItem();
        }
        if (event == null) {
            return Uni.createFrom().voidItem();
        }
        switch (event) {
            case TaskSubmitted e -> {
                return registry.submitted(e, record.partition())
                        .map(first -> publisher.statusChanged(first)
                                .chain(() -> registry.commitFirst(first).map(publisher::snapshot)
                                        .orElse(Uni.createFrom().voidItem())))
                        .orElse(Uni.createFrom().voidItem());
            }
            case BidPlaced e -> registry.bidPlaced(e);
            case TaskResubmitted e -> registry.resubmitted(e);
            case CancelRequested e -> registry.cancelRequested(e);
            case WorkloadExited e -> registry.workloadExited(e);
            case StopTask e -> registry.stopRequested(e);
            default -> {
                // other events of these topics say nothing about status
            }
        }
        return Uni.createFrom().voidItem();
    }
}
