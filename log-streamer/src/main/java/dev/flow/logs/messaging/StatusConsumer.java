package dev.flow.logs.messaging;

import dev.flow.logs.service.LogCollector;
import dev.flow.logs.service.TaskDirectory;
import dev.flow.logs.service.TaskObservation;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.TaskSnapshot;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.metrics.DeadLetters;
import dev.flow.service.tracing.TaskTraces;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

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

    private static final Logger LOG = Logger.getLogger(StatusConsumer.class);

    private final LogCollector collector;
    private final TaskDirectory directory;
    private final TaskTraces traces;
    private final DeadLetters deadLetters;

    public StatusConsumer(LogCollector collector, TaskDirectory directory, TaskTraces traces,
                          DeadLetters deadLetters) {
        this.collector = collector;
        this.directory = directory;
        this.traces = traces;
        this.deadLetters = deadLetters;
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

    /**
     * What a record says about a task, or nothing. A record that can never be read (not a CloudEvent, a payload that
     * does not decode, an event missing what a task needs) is set aside: counted in
     * {@code flow_messaging_dead_letters_total{reason="undecodable"}} (alerted on), logged by its place, never by
     * its content, and skipped. Failing the channel instead would stop every replica at it, and each restart would
     * replay it.
     */
    private Optional<TaskObservation> observation(ConsumerRecord<String, byte[]> record) {
        try {
            return decode(record);
        } catch (RuntimeException unreadable) {
            deadLetters.record(record.topic(), "undecodable");
            LOG.warnf("skipping an unreadable record at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), unreadable.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    private static Optional<TaskObservation> decode(ConsumerRecord<String, byte[]> record) {
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
