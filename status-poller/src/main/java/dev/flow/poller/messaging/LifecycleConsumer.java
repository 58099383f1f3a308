package dev.flow.poller.messaging;

import dev.flow.model.event.BidPlaced;
import dev.flow.model.event.CancelRequested;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.ResubmitTask;
import dev.flow.poller.service.Orphans;
import java.util.concurrent.atomic.AtomicInteger;
import dev.flow.model.event.TaskResubmitted;
import dev.flow.model.event.TaskSubmitted;
import dev.flow.model.event.WorkloadExited;
import dev.flow.poller.domain.TaskRegistry;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.messaging.DeadLetterQueue;
import dev.flow.service.messaging.Failures;
import dev.flow.service.metrics.Retries;
import dev.flow.service.tracing.TraceParents;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import dev.flow.model.event.TaskStatusChanged;
import io.smallrye.mutiny.Multi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Learns the tasks to watch from {@code flow.task.lifecycle} and the stop reasons from {@code flow.task.commands}:
 * one channel subscribed to both in the consumer group {@code flow-status-poller}, with the range assignor, so a
 * replica gets the same partition numbers of both topics (a task's events and commands). Records are handled only for
 * partitions this replica owns ({@link Ownership}); a rebalance rebuilds the gained ones first
 * ({@link PartitionRebalancer}), so a replayed event finds the rebuilt task and is recognised as a duplicate: the
 * registry is idempotent by state, and nothing here needs a ce_id dedupe (the poller has no database and never calls
 * Mithril's mutating endpoints; a repeated first transition of a task is not published twice, see
 * {@code TaskRegistry#submitted}).
 *
 * <p>A record that can never be applied (undecodable, or refused by the registry) is parked on the dead-letter topic
 * ({@link DeadLetterQueue}) before the batch is acknowledged; a broker that fails a publish is retried with backoff
 * (the batch waits, nothing is skipped). Only a publish failure no retry mends reaches the channel's
 * {@code failure-strategy=ignore}.
 */
@ApplicationScoped
public class LifecycleConsumer {

    private static final Logger LOG = Logger.getLogger(LifecycleConsumer.class);
    private static final int PUBLISH_CONCURRENCY = 256;

    private final TaskRegistry registry;
    private final StateTopic stateTopic;
    private final EventPublisher publisher;
    private final Ownership ownership;
    private final Orphans orphans;
    private final DeadLetterQueue deadLetters;
    private final Retries retries;
    private final AtomicInteger inFlight = new AtomicInteger();

    public LifecycleConsumer(TaskRegistry registry, StateTopic stateTopic, EventPublisher publisher,
                             Ownership ownership, Orphans orphans, DeadLetterQueue deadLetters, Retries retries) {
        this.deadLetters = deadLetters;
        this.retries = retries;
        this.registry = registry;
        this.stateTopic = stateTopic;
        this.publisher = publisher;
        this.ownership = ownership;
        this.orphans = orphans;
    }

    /**
     * A poll's worth of records at once (batch mode): their effects on the registry are applied in record order,
     * then the first transitions of the new tasks among them are published concurrently (the producer batches them),
     * and the batch is acknowledged once all are on the broker. One record at a time, each waiting for two broker
     * acknowledgements, fell minutes behind a burst of a thousand submissions.
     */
    @Incoming("lifecycle")
    public Uni<Void> lifecycle(ConsumerRecords<String, byte[]> records) {
        inFlight.incrementAndGet();
        return stateTopic.ready().chain(() -> {
                    List<First> firsts = new ArrayList<>();
                    List<SetAside> setAside = new ArrayList<>();
                    for (ConsumerRecord<String, byte[]> record : records) {
                        handle(record, setAside).ifPresent(first -> firsts.add(new First(record, first)));
                    }
                    // the dead letters first, one after the other: the batch is acknowledged only after both
                    return Multi.createFrom().iterable(setAside)
                            .onItem().transformToUniAndConcatenate(a -> deadLetters.park(a.record(), a.reason(),
                                    a.failure()))
                            .collect().last()
                            .chain(() -> Multi.createFrom().iterable(firsts)
                                    .onItem().transformToUni(this::publishFirst).merge(PUBLISH_CONCURRENCY)
                                    .collect().asList().replaceWithVoid());
                })
                .eventually(inFlight::decrementAndGet);
    }

    /**
     * A new task's pending/SUBMITTED, then its first snapshot; the cycle polls the task only after that. Each send is
     * retried on its own while the broker is away; a retry after a send the broker did write is a repeat under the
     * same {@code ce_id} ({@link EventPublisher#transitionId}).
     */
    private Uni<Void> publishFirst(First first) {
        String topic = first.record().topic();
        return retried(() -> publisher.statusChanged(first.change()), topic)
                .chain(sent -> registry.commitFirst(sent)
                        .map(snapshot -> retried(() -> publisher.snapshot(snapshot), topic))
                        .orElse(Uni.createFrom().voidItem()));
    }

    private <T> Uni<T> retried(java.util.function.Supplier<Uni<T>> send, String topic) {
        return Uni.createFrom().deferred(send::get)
                .onFailure(Failures::isTransient).invoke(failure -> {
                    retries.record(topic);
                    LOG.warnf("publishing a first transition failed (%s); retrying", failure.toString());
                })
                .onFailure(Failures::isTransient).retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely();
    }

    /** A record of the batch and the first transition it leads to. */
    private record First(ConsumerRecord<String, byte[]> record, TaskStatusChanged change) {
    }

    /** A record of the batch that can never be applied, and why. */
    private record SetAside(ConsumerRecord<String, byte[]> record, String reason, Throwable failure) {
    }

    /** Records being handled now (a rebalance waits for them). */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Applies one record to the registry; a new task's first transition, to publish, when it is one. A record that
     * can never be applied goes to {@code setAside}.
     */
    private Optional<TaskStatusChanged> handle(ConsumerRecord<String, byte[]> record, List<SetAside> setAside) {
        if (!ownership.owns(record.partition())) {
            // fetched before the partition moved to another replica, which reads it from its committed offset
            return Optional.empty();
        }
        FlowEvent event;
        try {
            event = CloudEventRecords.fromRecord(record).orElse(null);
        } catch (RuntimeException e) {
            setAside.add(new SetAside(record, "undecodable", e));
            return Optional.empty();
        }
        if (event == null) {
            return Optional.empty();
        }
        try {
            return apply(record, event);
        } catch (RuntimeException e) {
            // the registry refused it (an event missing what a task needs): no retry mends that
            setAside.add(new SetAside(record, "unprocessable", e));
            return Optional.empty();
        }
    }

    private Optional<TaskStatusChanged> apply(ConsumerRecord<String, byte[]> record, FlowEvent event) {
        switch (event) {
            case TaskSubmitted e -> {
                Optional<TaskStatusChanged> first = registry.submitted(e, record.partition());
                registry.traced(e.taskId(), TraceParents.fromHeaders(record.headers()).orElse(null));
                return first;
            }
            case BidPlaced e -> registry.bidPlaced(e);
            case TaskResubmitted e -> registry.resubmitted(e);
            case CancelRequested e -> registry.cancelRequested(e);
            case WorkloadExited e -> registry.workloadExited(e);
            case StopTask e -> {
                if (registry.knows(e.taskId())) {
                    registry.stopRequested(e);
                } else {
                    // a stop of a bid without a task: the orphan was reported (by this replica or its predecessor)
                    orphans.stopSeen(e);
                }
            }
            case ResubmitTask e -> registry.resubmitRequested(e);
            default -> {
                // other events of these topics say nothing about status
            }
        }
        return Optional.empty();
    }
}
