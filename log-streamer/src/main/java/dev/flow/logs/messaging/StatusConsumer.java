package dev.flow.logs.messaging;

import dev.flow.logs.service.LogCollector;
import dev.flow.logs.service.TaskDirectory;
import dev.flow.logs.service.TaskObservation;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.TaskSnapshot;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.messaging.DeadLetterQueue;
import dev.flow.service.tracing.TaskTraces;
import io.smallrye.mutiny.Uni;
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
    private final DeadLetterQueue deadLetters;

    public StatusConsumer(LogCollector collector, TaskDirectory directory, TaskTraces traces,
                          DeadLetterQueue deadLetters) {
        this.collector = collector;
        this.directory = directory;
        this.traces = traces;
        this.deadLetters = deadLetters;
    }

    /**
     * A record that can never be read (not a CloudEvent, a payload that does not decode, an event missing what a task
     * needs) is parked on the dead-letter topic ({@code undecodable}; counted and alerted on) and the partition goes
     * on: its offset is acknowledged once the broker has the dead letter. Failing the channel instead would stop every
     * replica at it, and each restart would replay it.
     */
    @Incoming("task-status")
    public Uni<Void> collect(ConsumerRecord<String, byte[]> record) {
        traces.remember(record);
        Optional<TaskObservation> observation;
        try {
            observation = decode(record);
        } catch (RuntimeException unreadable) {
            return deadLetters.park(record, "undecodable", unreadable);
        }
        observation.ifPresent(o -> {
            directory.remember(o);
            collector.observe(o, new TopicPartition(record.topic(), record.partition()));
        });
        return Uni.createFrom().voidItem();
    }

    /**
     * The same records again, for the directory. An unreadable one is only skipped here: this group is one per
     * process and reads from the beginning, so parking it here would write it once per replica and per restart;
     * the shared group above parks it once.
     */
    @Incoming("task-directory")
    public void index(ConsumerRecord<String, byte[]> record) {
        traces.remember(record);
        try {
            decode(record).ifPresent(directory::remember);
        } catch (RuntimeException unreadable) {
            LOG.debugf("skipping an unreadable record at %s-%d@%d (parked by the shared group)", record.topic(),
                    record.partition(), record.offset());
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
