package dev.flow.logs.messaging;

import dev.flow.logs.service.LogCollector;
import dev.flow.model.event.Topics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.List;

/**
 * Ownership of tasks follows the {@code flow-log-streamer} group's partitions (ARCHITECTURE: work once per task is
 * owned by the replica holding the task's partition). Newly assigned partitions of the compacted
 * {@code flow.task.state} are read again from their start, so the tasks already running there are tailed (their
 * {@code running} status event is long committed); revoked partitions stop their tasks' tails.
 */
@ApplicationScoped
@Identifier(OwnershipRebalanceListener.NAME)
public class OwnershipRebalanceListener implements KafkaConsumerRebalanceListener {

    public static final String NAME = "flow-log-streamer-ownership";
    private static final Logger LOG = Logger.getLogger(OwnershipRebalanceListener.class);

    private final LogCollector collector;

    public OwnershipRebalanceListener(LogCollector collector) {
        this.collector = collector;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<TopicPartition> snapshots = partitions.stream()
                .filter(p -> p.topic().equals(Topics.TASK_STATE)).toList();
        if (!snapshots.isEmpty()) {
            consumer.seekToBeginning(snapshots);
            LOG.debugf("rebuilding tails from snapshots of %s", snapshots);
        }
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        collector.release(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        collector.release(partitions);
    }
}
