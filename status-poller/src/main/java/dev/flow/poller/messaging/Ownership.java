package dev.flow.poller.messaging;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.utils.Utils;

/**
 * Which tasks this replica watches. The consumer group {@code flow-status-poller} assigns the partitions of
 * {@code flow.task.lifecycle} (and, co-partitioned, of {@code flow.task.commands}) among the replicas; a task belongs
 * to the replica that holds partition {@link #partitionOf(String)} of its id, the partition the producers' default
 * partitioner puts its key on. Only that replica polls it, publishes its transitions and judges a bid of that name an
 * orphan.
 *
 * <p>While a rebalance is under way ({@link #isRebalancing()}) no cycle starts: the partitions may be about to move.
 */
@ApplicationScoped
public class Ownership {

    private volatile Set<Integer> owned = Set.of();
    private volatile int partitionCount = 1;
    private volatile boolean rebalancing;
    private volatile boolean assignedOnce;

    /** The partition of a task id's records on a topic of {@link #partitionCount()} partitions (Kafka's default). */
    public int partitionOf(String taskId) {
        return Utils.toPositive(Utils.murmur2(taskId.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }

    public boolean owns(int partition) {
        return owned.contains(partition);
    }

    public boolean ownsTask(String taskId) {
        return owns(partitionOf(taskId));
    }

    public Set<Integer> owned() {
        return owned;
    }

    public int partitionCount() {
        return partitionCount;
    }

    public boolean isRebalancing() {
        return rebalancing;
    }

    /** Whether the consumer group assigned partitions at least once (possibly none). */
    public boolean isAssigned() {
        return assignedOnce;
    }

    void partitionCount(int count) {
        this.partitionCount = Math.max(1, count);
    }

    void rebalanceStarted() {
        rebalancing = true;
    }

    void assigned(Set<Integer> partitions) {
        owned = Set.copyOf(new TreeSet<>(partitions));
        assignedOnce = true;
        rebalancing = false;
    }

    void lost(Set<Integer> partitions) {
        Set<Integer> left = new TreeSet<>(owned);
        left.removeAll(partitions);
        owned = Set.copyOf(left);
    }
}
