package dev.flow.poller.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
import io.quarkus.runtime.StartupEvent;
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
 * <p><b>Rebuild.</b> Then the topic is read from the beginning to its end offsets (a plain consumer with assigned
 * partitions and no group: every replica needs the whole picture of its partitions, and nothing is committed), and
 * every snapshot goes into the {@link TaskRegistry}. {@link #ready()} completes after that; the lifecycle consumer
 * and the polling cycle wait for it.
 */
@ApplicationScoped
public class StateTopic {

    private static final Logger LOG = Logger.getLogger(StateTopic.class);

    private final TaskRegistry registry;
    private final PollerConfig config;
    private final Map<String, Object> kafka;
    private final String topic;
    private final List<String> causeTopics;
    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicBoolean failed = new AtomicBoolean();
    private final Uni<Void> ready;

    public StateTopic(TaskRegistry registry, PollerConfig config,
                      @Identifier("default-kafka-broker") Map<String, Object> kafka,
                      @ConfigProperty(name = "mp.messaging.outgoing.state.topic", defaultValue = Topics.TASK_STATE)
                      String topic,
                      @ConfigProperty(name = "mp.messaging.incoming.lifecycle.topic", defaultValue = Topics.TASK_LIFECYCLE)
                      String lifecycleTopic,
                      @ConfigProperty(name = "mp.messaging.incoming.commands-in.topic", defaultValue = Topics.TASK_COMMANDS)
                      String commandsTopic) {
        this.registry = registry;
        this.config = config;
        this.kafka = kafka;
        this.topic = topic;
        this.causeTopics = List.of(lifecycleTopic, commandsTopic);
        this.ready = Uni.createFrom().item(() -> {
                    ensureCompactedTopic();
                    rebuild();
                    return (Void) null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().invoke(e -> {
                    LOG.error("preparing " + this.topic + " failed; the next use tries again", e);
                    failed.set(true);
                })
                // a failure is not cached: the next subscriber (a lifecycle record, a cycle) tries again
                .memoize().until(() -> failed.getAndSet(false));
    }

    void onStart(@Observes StartupEvent event) {
        ready().subscribe().with(v -> LOG.infof("state rebuilt from %s: %d active task(s)", topic,
                registry.activeCount()), e -> LOG.error("state rebuild failed", e));
    }

    /** Completes once the state topic exists and has been read to its end. */
    public Uni<Void> ready() {
        return ready;
    }

    public boolean isReady() {
        return done.get();
    }

    /**
     * Forgets the in-memory state and reads the state topic again (what a restart does; a rebalance will do it for
     * the partitions it assigns). Blocking: call it from a worker thread.
     */
    public void rebuild() {
        Map<String, Object> props = clientProps();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Instant deadline = Instant.now().plus(config.stateTopic().rebuildTimeout());
        int read = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, config.stateTopic().rebuildTimeout())
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            registry.clear();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("reading " + topic + " took longer than "
                            + config.stateTopic().rebuildTimeout());
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Optional<TaskSnapshot> snapshot = readSnapshot(record);
                    snapshot.ifPresent(s -> registry.restore(s, record.partition()));
                    read++;
                }
            }
        }
        LOG.debugf("read %d record(s) from %s", read, topic);
        registry.oldestActiveCreatedAt().ifPresent(since -> replayCauses(since, deadline));
        done.set(true);
    }

    /**
     * A snapshot says where a task stands, not what was asked of it: a CancelRequested, StopTask or WorkloadExited
     * consumed before the restart would be forgotten, and the task would end as a plain cancel. So the lifecycle and
     * command topics are read again from the submission of the oldest active task to their current end, and every
     * event is applied once more (the handlers are idempotent). A TaskSubmitted only fills in what a snapshot does
     * not carry, the run time limit; watching a new task is left to the group consumer.
     */
    private void replayCauses(Instant since, Instant deadline) {
        Map<String, Object> props = clientProps();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        int applied = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = causeTopics.stream()
                    .flatMap(t -> consumer.partitionsFor(t, config.stateTopic().rebuildTimeout()).stream())
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> query = new HashMap<>();
            // a minute of slack: producers' clocks are not the submitter's
            partitions.forEach(p -> query.put(p, since.minusSeconds(60).toEpochMilli()));
            var starts = consumer.offsetsForTimes(query);
            for (TopicPartition p : partitions) {
                var start = starts.get(p);
                consumer.seek(p, start == null ? end.get(p) : start.offset());
            }
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("replaying " + causeTopics + " took longer than "
                            + config.stateTopic().rebuildTimeout());
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
                case dev.flow.model.event.TaskSubmitted e -> registry.refill(e);
                case dev.flow.model.event.BidPlaced e -> registry.bidPlaced(e);
                case dev.flow.model.event.TaskResubmitted e -> registry.resubmitted(e);
                case dev.flow.model.event.CancelRequested e -> registry.cancelRequested(e);
                case dev.flow.model.event.WorkloadExited e -> registry.workloadExited(e);
                case dev.flow.model.event.StopTask e -> registry.stopRequested(e);
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

    private void ensureCompactedTopic() {
        long timeoutMs = config.stateTopic().rebuildTimeout().toMillis();
        try (Admin admin = Admin.create(clientProps())) {
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            if (!existing.contains(topic)) {
                NewTopic newTopic = new NewTopic(topic, config.stateTopic().partitions(),
                        config.stateTopic().replicationFactor())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                try {
                    admin.createTopics(List.of(newTopic)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                    LOG.infof("created compacted topic %s", topic);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // another replica created it first: fine
                }
                return;
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config topicConfig = admin.describeConfigs(List.of(resource)).all()
                    .get(timeoutMs, TimeUnit.MILLISECONDS).get(resource);
            var policy = topicConfig == null ? null : topicConfig.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                LOG.warnf("topic %s exists with cleanup.policy=%s, not compact: snapshots may expire", topic,
                        policy == null ? "?" : policy.value());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot prepare topic " + topic + ": " + e.getMessage(), e);
        }
    }

    /** Kafka's connection settings ({@code kafka.*}: servers, security) for the admin client and the reader. */
    private Map<String, Object> clientProps() {
        Map<String, Object> props = new HashMap<>();
        kafka.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k) || ConsumerConfig.configNames().contains(k)) {
                props.put(k, v);
            }
        });
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "flow-status-poller-state");
        return props;
    }
}
