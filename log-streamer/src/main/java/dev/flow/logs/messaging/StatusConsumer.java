package dev.flow.logs.messaging;

import dev.flow.logs.service.LogCollector;
import dev.flow.logs.service.TaskDirectory;
import dev.flow.logs.service.TaskObservation;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.TaskSnapshot;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.tracing.TaskTraces;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.Optional;

/**
 * Reads what the poller publishes about tasks, twice:
 * <ul>
 *   <li>{@code task-status}: {@code flow.task.status} and {@code flow.task.state} in the shared group
 *   {@code flow-log-streamer}. The replica that owns a task's partitions tails its nodes (work that must happen once
 *   per task); {@link OwnershipRebalanceListener} rereads the snapshots of newly owned partitions and stops the tails
 *   of revoked ones.</li>
 *   <li>{@code task-directory}: the same topics in a group of this process only, from the beginning: every replica
 *   learns every task's project, because any replica may serve any viewer.</li>
 * </ul>
 * Both handlers are quick and non-blocking (SSH runs on virtual threads).
 */
@ApplicationScoped
public class StatusConsumer {

    private final LogCollector collector;
    private final TaskDirectory directory;
    private final TaskTraces traces;

    public StatusConsumer(LogCollector collector, TaskDirectory directory, TaskTraces traces) {
        this.collector = collector;
        this.directory = directory;
        this.traces = traces;
    }

    @Incoming("task-status")
    public void collect(ConsumerRecord<String, byte[]> record) {
        traces.remember(record);
        observation(record).ifPresent(observation -> {
            directory.remember(observation);
            collector.observe(observation, new TopicPartition(record.topic(), record.partition()));
        });
    }

    @Incoming("task-directory")
    public void index(ConsumerRecord<String, byte[]> record) {
        traces.remember(record);
        observation(record).ifPresent(directory::remember);
    }

    private static Optional<TaskObservation> observation(ConsumerRecord<String, byte[]> record) {
        Optional<FlowEvent> event = CloudEventRecords.fromRecord(record);
        if (event.isPresent() && event.get() instanceof TaskStatusChanged changed) {
            return Optional.of(TaskObservation.of(changed));
        }
        if (event.isPresent() && event.get() instanceof TaskSnapshot snapshot) {
            return Optional.of(TaskObservation.of(snapshot));
        }
        return Optional.empty();
    }
}
