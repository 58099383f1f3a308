package dev.flow.poller.messaging;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import dev.flow.poller.domain.TaskRegistry;
import dev.flow.poller.service.StatusPoller;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Provider;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Moves tasks between replicas with the consumer group's assignment of {@code flow.task.lifecycle}.
 *
 * <ul>
 *   <li><b>Revoked</b> (the rebalance starts): no new cycle starts, and the callback waits until the cycle and the
 *   lifecycle record in flight are done, so every transition this replica derived is published with its snapshot
 *   before another replica reads the state topic. (Kafka gives the partitions to the new owner only after every
 *   member's revocation callback returned.)</li>
 *   <li><b>Assigned</b>: the partitions it no longer holds are forgotten (nothing more is published for them); the
 *   ones it gained are rebuilt from {@code flow.task.state} and the causes replayed from lifecycle/commands
 *   ({@link StateTopic#rebuild(Set)}); the ones it kept stay as they are.</li>
 *   <li><b>Lost</b> (the session expired: another replica may own them already): forgotten at once.</li>
 * </ul>
 * Runs on the Kafka consumer's polling thread, where blocking is allowed.
 */
@ApplicationScoped
@Identifier(PartitionRebalancer.NAME)
public class PartitionRebalancer implements KafkaConsumerRebalanceListener {

    public static final String NAME = "flow-status-poller-rebalancer";
    private static final Logger LOG = Logger.getLogger(PartitionRebalancer.class);
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(30);

    private final Ownership ownership;
    private final StateTopic stateTopic;
    private final TaskRegistry registry;
    private final Provider<StatusPoller> poller;
    private final Provider<LifecycleConsumer> consumer;
    private final String lifecycleTopic;

    public PartitionRebalancer(Ownership ownership, StateTopic stateTopic, TaskRegistry registry,
                               Provider<StatusPoller> poller, Provider<LifecycleConsumer> consumer,
                               dev.flow.poller.config.PollerConfig config) {
        this.ownership = ownership;
        this.stateTopic = stateTopic;
        this.registry = registry;
        this.poller = poller;
        this.consumer = consumer;
        this.lifecycleTopic = config.lifecycleTopic();
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> kafka, Collection<TopicPartition> partitions) {
        ownership.rebalanceStarted();
        drain();
        LOG.debugf("partitions revoked %s", partitions);
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> kafka, Collection<TopicPartition> partitions) {
        ownership.rebalanceStarted();
        // the topics must exist and their partition count be known before the first rebuild
        stateTopic.ready().await().atMost(Duration.ofMinutes(2));
        Set<Integer> now = new TreeSet<>();
        // the whole current assignment, whether the protocol passed all of it (eager) or the increment (cooperative)
        for (TopicPartition p : kafka.assignment()) {
            if (p.topic().equals(lifecycleTopic)) {
                now.add(p.partition());
            }
        }
        Set<Integer> gone = new TreeSet<>(ownership.owned());
        gone.removeAll(now);
        Set<Integer> gained = new TreeSet<>(now);
        gained.removeAll(ownership.owned());
        int dropped = registry.dropPartitions(gone);
        stateTopic.rebuild(gained);
        ownership.assigned(now);
        LOG.infof("owning partitions %s (gave up %s with %d task(s), rebuilt %s): %d active task(s)", now, gone,
                dropped, gained, registry.activeCount());
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> kafka, Collection<TopicPartition> partitions) {
        Set<Integer> lost = new TreeSet<>();
        partitions.stream().filter(p -> p.topic().equals(lifecycleTopic)).forEach(p -> lost.add(p.partition()));
        ownership.lost(lost);
        drain();
        registry.dropPartitions(lost);
        LOG.warnf("partitions lost %s: their tasks are no longer watched here", lost);
    }

    /** Waits (bounded) for the cycle and the lifecycle record in flight. */
    private void drain() {
        BooleanSupplier busy = () -> poller.get().isCycleRunning() || consumer.get().inFlight() > 0;
        long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
        while (busy.getAsBoolean() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        if (busy.getAsBoolean()) {
            LOG.warnf("a cycle was still running after %s while the partitions moved", DRAIN_LIMIT);
        }
    }
}
