package dev.flow.poller.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.flow.model.event.TaskSnapshot;
import dev.flow.model.event.Topics;
import dev.flow.poller.config.PollerConfig;
import dev.flow.poller.domain.TaskRegistry;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.tracing.TraceParents;
import io.quarkus.runtime.StartupEvent;
import dev.flow.service.messaging.KafkaClientProperties;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The compacted {@code flow.task.state} topic: the poller's only store.
 *
 * <p><b>Why the poller creates it.</b> It is the first producer of the topic, and a broker that auto-creates topics
 * makes them with {@code cleanup.policy=delete}: the snapshots would then expire with the retention time and a
 * restart would forget long-running tasks. So at start, before anything is published, the Kafka Admin client
 * creates it with {@code cleanup.policy=compact} when missing (an existing topic is left alone, with a warning if it
 * is not compacted: changing a topic someone else made is an operator's decision).
 *
 * <p><b>Equal partition counts.</b> A task belongs to the replica that holds its partition of
 * {@code flow.task.lifecycle} ({@link Ownership}); its snapshots and commands must sit on the same partition number
 * of {@code flow.task.state} and {@code flow.task.commands}, which holds when the three topics have as many
 * partitions (same key, same default partitioner). So the poller creates whichever of the three is missing with the
 * count of the existing ones ({@code flow.poller.state-topic.partitions}, else the lifecycle topic's, else the
 * broker's default), and logs an error when existing topics differ.
 *
 * <p><b>Rebuild.</b> When the consumer group assigns partitions to this replica, those partitions of the state topic
 * are read from the beginning to their end offsets (a plain consumer with assigned partitions and no group; nothing
 * is committed), every snapshot goes into the {@link TaskRegistry}, then the same partitions of the lifecycle and
 * command topics are replayed for the causes a snapshot does not hold. {@link #ready()} completes once the topics
 * exist; the lifecycle consumer and the polling cycle wait for it.
 */
@ApplicationScoped
public class StateTopic {

    private static final Logger LOG = Logger.getLogger(StateTopic.class);

    private final TaskRegistry registry;
    private final Ownership ownership;
    private final PollerConfig config;
    private final Map<String, Object> kafka;
    private final String topic;
    private final String lifecycleTopic;
    private final String commandsTopic;
    private final AtomicBoolean failed = new AtomicBoolean();
    private final Uni<Void> ready;
    private volatile boolean topicsReady;
    private volatile boolean coPartitioned = true;

    public StateTopic(TaskRegistry registry, Ownership ownership, PollerConfig config,
                      @Identifier("default-kafka-broker") Map<String, Object> kafka,
                      @ConfigProperty(name = "mp.messaging.outgoing.state.topic", defaultValue = Topics.TASK_STATE)
                      String topic) {
        this.registry = registry;
        this.ownership = ownership;
        this.config = config;
        this.kafka = kafka;
        this.topic = topic;
        this.lifecycleTopic = config.lifecycleTopic();
        this.commandsTopic = config.commandsTopic();
        this.ready = Uni.createFrom().item(() -> {
                    ensureTopics();
                    topicsReady = true;
                    return (Void) null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().invoke(e -> {
                    LOG.error("preparing the topics failed; the next use tries again", e);
                    failed.set(true);
                })
                // a failure is not cached: the next subscriber (a lifecycle record, a cycle) tries again
                .memoize().until(() -> failed.getAndSet(false));
    }

    void onStart(@Observes StartupEvent event) {
        ready().subscribe().with(v -> LOG.infof("topics ready (%d partition(s)); waiting for the group's assignment",
                ownership.partitionCount()), e -> LOG.error("preparing the topics failed", e));
    }

    /** Completes once the three topics exist (and their partition count is known). */
    public Uni<Void> ready() {
        return ready;
    }

    /** Ready for readiness: topics prepared and the partitions the group assigned rebuilt. */
    public boolean isReady() {
        return topicsReady && ownership.isAssigned() && coPartitioned;
    }

    /**
     * Reads the partitions this replica owns again from the state topic (what a restart does). Blocking: call it
     * from a worker thread.
     */
    public void rebuild() {
        rebuild(ownership.owned());
    }

    /**
     * Forgets the tasks of these partitions and reads them again: their snapshots from the state topic, then the
     * causes from the lifecycle and command topics. Blocking (the Kafka consumer thread during a rebalance, or a
     * worker).
     */
    public void rebuild(Set<Integer> partitions) {
        registry.dropPartitions(partitions);
        if (partitions.isEmpty()) {
            return;
        }
        Map<String, Object> props = clientProps();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Instant deadline = Instant.now().plus(config.stateTopic().rebuildTimeout());
        int read = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> all = consumer.partitionsFor(topic, config.stateTopic().rebuildTimeout())
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            // co-partitioned: only the owned partitions hold owned tasks; otherwise read all and filter by key
            List<TopicPartition> toRead = coPartitioned
                    ? all.stream().filter(p -> partitions.contains(p.partition())).toList() : all;
            consumer.assign(toRead);
            consumer.seekToBeginning(toRead);
            Map<TopicPartition, Long> end = consumer.endOffsets(toRead);
            while (toRead.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("reading " + topic + " took longer than "
                            + config.stateTopic().rebuildTimeout());
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Optional<TaskSnapshot> snapshot = readSnapshot(record);
                    snapshot.ifPresent(s -> {
                        int owner = ownership.partitionOf(s.taskId());
                        if (partitions.contains(owner)) {
                            registry.restore(s, owner);
                        }
                    });
                    read++;
                }
            }
        }
        LOG.debugf("read %d record(s) from %s partitions %s", read, topic, partitions);
        registry.oldestActiveCreatedAt(partitions).ifPresent(since -> replayCauses(partitions, since, deadline));
    }

    /**
     * A snapshot says where a task stands, not what was asked of it: a CancelRequested, StopTask or WorkloadExited
     * consumed before the restart would be forgotten, and the task would end as a plain cancel. So the lifecycle and
     * command topics are read again from the submission of the oldest active task to their current end, and every
     * event is applied once more (the handlers are idempotent). A TaskSubmitted only fills in what a snapshot does
     * not carry, the run time limit and the retry policy; watching a new task is left to the group consumer.
     */
    private void replayCauses(Set<Integer> partitions, Instant since, Instant deadline) {
        Map<String, Object> props = clientProps();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        int applied = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> topicPartitions = List.of(lifecycleTopic, commandsTopic).stream()
                    .flatMap(t -> consumer.partitionsFor(t, config.stateTopic().rebuildTimeout()).stream())
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .filter(p -> !coPartitioned || partitions.contains(p.partition())).toList();
            consumer.assign(topicPartitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(topicPartitions);
            Map<TopicPartition, Long> query = new HashMap<>();
            // a minute of slack: producers' clocks are not the submitter's
            topicPartitions.forEach(p -> query.put(p, since.minusSeconds(60).toEpochMilli()));
            var starts = consumer.offsetsForTimes(query);
            for (TopicPartition p : topicPartitions) {
                var start = starts.get(p);
                consumer.seek(p, start == null ? end.get(p) : start.offset());
            }
            while (topicPartitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("replaying " + lifecycleTopic + " and " + commandsTopic
                            + " took longer than " + config.stateTopic().rebuildTimeout());
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (apply(record)) {
                        applied++;
                    }
                }
            }
        }
        LOG.debugf("re-applied %d lifecycle/command event(s) since %s", applied, since);
    }

    private boolean apply(ConsumerRecord<String, byte[]> record) {
        try {
            var event = CloudEventRecords.fromRecord(record).orElse(null);
            switch (event) {
                // only fills what a snapshot lacks (the run time limit); a new task is the group consumer's business
                case dev.flow.model.event.TaskSubmitted e -> {
                    registry.refill(e);
                    registry.traced(e.taskId(), TraceParents.fromHeaders(record.headers()).orElse(null));
                }
                case dev.flow.model.event.BidPlaced e -> registry.bidPlaced(e);
                case dev.flow.model.event.TaskResubmitted e -> registry.resubmitted(e);
                case dev.flow.model.event.CancelRequested e -> registry.cancelRequested(e);
                case dev.flow.model.event.WorkloadExited e -> registry.workloadExited(e);
                case dev.flow.model.event.StopTask e -> registry.stopRequested(e);
                case dev.flow.model.event.ResubmitTask e -> registry.resubmitRequested(e);
                case null, default -> {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warnf("skipping unreadable record at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return false;
        }
    }

    private Optional<TaskSnapshot> readSnapshot(ConsumerRecord<String, byte[]> record) {
        try {
            return CloudEventRecords.fromRecord(record).filter(TaskSnapshot.class::isInstance)
                    .map(TaskSnapshot.class::cast);
        } catch (RuntimeException e) {
            LOG.warnf("skipping unreadable snapshot at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Creates the missing ones of the lifecycle, command and (compacted) state topics, all with one partition count,
     * and learns that count. Another replica creating them at the same time is fine.
     */
    private void ensureTopics() {
        long timeoutMs = config.stateTopic().rebuildTimeout().toMillis();
        List<String> ours = List.of(lifecycleTopic, commandsTopic, topic);
        try (Admin admin = Admin.create(clientProps())) {
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            Map<String, Integer> counts = partitionCounts(admin, ours.stream().filter(existing::contains).toList(),
                    timeoutMs);
            Optional<Integer> count = config.stateTopic().partitions()
                    .or(() -> Optional.ofNullable(counts.get(lifecycleTopic)))
                    .or(() -> Optional.ofNullable(counts.get(commandsTopic)))
                    .or(() -> Optional.ofNullable(counts.get(topic)));
            List<NewTopic> missing = ours.stream().filter(t -> !existing.contains(t))
                    .map(t -> {
                        NewTopic n = new NewTopic(t, count, config.stateTopic().replicationFactor());
                        return t.equals(topic) ? n.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                                TopicConfig.CLEANUP_POLICY_COMPACT)) : n;
                    }).toList();
            for (NewTopic n : missing) {
                try {
                    admin.createTopics(List.of(n)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                    LOG.infof("created topic %s (%s partition(s))", n.name(),
                            count.map(String::valueOf).orElse("broker default"));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // another replica (or a producer) created it first: fine
                }
            }
            Map<String, Integer> all = partitionCountsOnceKnown(admin, ours, timeoutMs);
            ownership.partitionCount(all.get(lifecycleTopic));
            coPartitioned = all.values().stream().distinct().count() == 1;
            if (!coPartitioned) {
                LOG.errorf("topics %s have different partition counts %s: a task's events and snapshots are not on "
                        + "the same partition number, so replicas cannot share the tasks; give them equal counts", ours,
                        all);
            }
            warnIfNotCompacted(admin, timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing " + ours, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot prepare topics " + ours + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Integer> partitionCounts(Admin admin, List<String> topics, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Integer> counts = new HashMap<>();
        if (!topics.isEmpty()) {
            admin.describeTopics(topics).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS)
                    .forEach((name, d) -> counts.put(name, d.partitions().size()));
        }
        return counts;
    }

    /** A topic created a moment ago may not be in the cluster's metadata yet: ask again for a few seconds. */
    private static Map<String, Integer> partitionCountsOnceKnown(Admin admin, List<String> topics, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        for (int attempt = 1; ; attempt++) {
            try {
                return partitionCounts(admin, topics, timeoutMs);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || attempt >= 20) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
    }

    private void warnIfNotCompacted(Admin admin, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config topicConfig = admin.describeConfigs(List.of(resource)).all()
                .get(timeoutMs, TimeUnit.MILLISECONDS).get(resource);
        var policy = topicConfig == null ? null : topicConfig.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            LOG.warnf("topic %s exists with cleanup.policy=%s, not compact: snapshots may expire", topic,
                    policy == null ? "?" : policy.value());
        }
    }

    /** Kafka's connection settings ({@code kafka.*}: servers, security) for the admin client and the reader. */
    private Map<String, Object> clientProps() {
        Set<String> known = new HashSet<>(AdminClientConfig.configNames());
        known.addAll(ConsumerConfig.configNames());
        Map<String, Object> props = KafkaClientProperties.of(kafka, known, Map.of());
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "flow-status-poller-state");
        return props;
    }
}
