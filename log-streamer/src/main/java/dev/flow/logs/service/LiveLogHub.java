package dev.flow.logs.service;

import dev.flow.logs.config.LogsConfig;
import dev.flow.logs.kafka.LogEntry;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.Topics;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.messaging.KafkaClientProperties;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one live consumption of {@code flow.task.logs} per replica: a consumer without a group, assigned to every
 * partition from its end, that hands each new line to every following viewer of its task (a hub keyed by task id).
 * History (a tail, or the lines after a token) is read by each viewer from Kafka by offset; {@link #subscribe} says
 * from which offset the hub delivers, so the viewer reads history exactly up to there: no gap, no duplicate.
 * <p>
 * The hub never waits for a viewer: each subscription has a bounded buffer; a full buffer is dropped and the
 * subscription marked {@link Subscription#overflowed()} (the view then sends a gap marker and catches up from Kafka).
 * So a slow viewer costs at most its buffer and never delays other viewers or the collection.
 * <p>
 * The consumer loop is watched ({@link #health()}, the {@code live-logs} readiness check): it notes each poll, and
 * when it dies it is restarted after {@code flow.logs.live.restart-delay}, from the offsets it had dispatched, so
 * the viewers following meanwhile get the lines of the outage late but none lost or twice.
 */
@ApplicationScoped
public class LiveLogHub {

    private static final Logger LOG = Logger.getLogger(LiveLogHub.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClientProperties kafkaProperties;
    private final String topic;
    private final LogsConfig config;
    private final Map<String, Set<Subscription>> byTask = new ConcurrentHashMap<>();
    /** Next offset the hub dispatches, per partition; guarded by {@code this}. */
    private long[] positions;
    private final CompletableFuture<Integer> ready = new CompletableFuture<>();
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Thread thread;
    /** When the loop last polled (or, before the first poll, last made progress towards it): {@code nanoTime}. */
    private volatile long lastPollNanos = System.nanoTime();
    private volatile Instant lastPollAt = Instant.now();
    /** Why the loop died (empty while it runs or restarts). */
    private volatile Optional<String> failure = Optional.empty();
    private final AtomicLong restarts = new AtomicLong();
    private volatile boolean closeRequested;
    private volatile Duration stallRequested;
    /** Set once the hub first has its positions (read without the hub's lock: a probe never waits on dispatch). */
    private volatile boolean started;

    public LiveLogHub(KafkaClientProperties kafkaProperties,
                      @ConfigProperty(name = "mp.messaging.outgoing.task-logs.topic", defaultValue = Topics.TASK_LOGS)
                      String topic,
                      LogsConfig config) {
        this.kafkaProperties = kafkaProperties;
        this.topic = topic;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        thread = Thread.ofVirtual().name("logs-live-hub").start(this::supervise);
    }

    /** The loop's state for the readiness check: alive, when it last polled, and why it died. */
    public record Health(boolean following, Instant lastPollAt, Duration sinceLastPoll,
                         Optional<String> failure, long restarts) {
    }

    public Health health() {
        return new Health(started && failure.isEmpty(), lastPollAt,
                Duration.ofNanos(System.nanoTime() - lastPollNanos), failure, restarts.get());
    }

    private synchronized long[] positions() {
        return positions;
    }

    /**
     * Test hook (only with {@code flow.logs.live.fault-hooks=true}): the loop closes its consumer on its own thread,
     * so its next poll fails as a consumer closed under it does, and the loop dies for real.
     */
    public void closeConsumerForTest() {
        if (!config.live().faultHooks()) {
            throw new IllegalStateException("flow.logs.live.fault-hooks is off");
        }
        closeRequested = true;
    }

    /** Test hook (only with {@code flow.logs.live.fault-hooks=true}): the loop stops polling for {@code pause}. */
    public void stallConsumerForTest(Duration pause) {
        if (!config.live().faultHooks()) {
            throw new IllegalStateException("flow.logs.live.fault-hooks is off");
        }
        stallRequested = pause;
    }

    /** Runs the consumer loop, and again after {@code flow.logs.live.restart-delay} each time it dies. */
    private void supervise() {
        while (running) {
            run();
            if (!running) {
                return;
            }
            try {
                Thread.sleep(config.live().restartDelay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            restarts.incrementAndGet();
            LOG.infof("restarting the live log consumer (restart %d)", restarts.get());
        }
    }

    private void polled() {
        lastPollNanos = System.nanoTime();
        lastPollAt = Instant.now();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        Thread t = thread;
        if (current != null) {
            current.wakeup();
        } else if (t != null) {
            t.interrupt(); // waiting to restart a dead consumer: no need to wait any longer
        }
        if (t != null) {
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Starts delivering the task's new lines to a bounded buffer. Lines at offsets from {@link Subscription#start()}
     * on will be delivered; the caller reads older ones from Kafka. Blocking until the hub has its positions (the
     * first seconds of the process).
     */
    public Subscription subscribe(String taskId) {
        int partitions = partitions();
        int partition = partitionOf(taskId, partitions);
        synchronized (this) {
            Subscription subscription = new Subscription(taskId, positions[partition], config.viewer().bufferLines(),
                    config.viewer().bufferBytes());
            byTask.computeIfAbsent(taskId, k -> ConcurrentHashMap.newKeySet()).add(subscription);
            return subscription;
        }
    }

    /** How many viewers follow live (all tasks). */
    public int subscriptions() {
        return byTask.values().stream().mapToInt(Set::size).sum();
    }

    private void unsubscribe(Subscription subscription) {
        byTask.computeIfPresent(subscription.taskId, (k, set) -> {
            set.remove(subscription);
            return set.isEmpty() ? null : set;
        });
    }

    private int partitions() {
        try {
            return ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the live log consumer", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the live log consumer is not ready", e);
        }
    }

    /** The producer's default partitioner: murmur2 of the key (as {@code LogCursor}). */
    static int partitionOf(String taskId, int partitions) {
        return Utils.toPositive(Utils.murmur2(taskId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(kafkaProperties.consumer(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                // well under a viewer's buffer: one poll's dispatch never overflows a viewer that keeps up
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50,
                ConsumerConfig.CLIENT_ID_CONFIG, "flow-log-live-" + UUID.randomUUID())),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = kafka;
            polled();
            List<TopicPartition> assigned = assign(kafka);
            if (assigned.isEmpty()) {
                return;
            }
            long[] resumeAt = positions();
            if (resumeAt != null && resumeAt.length == assigned.size()) {
                // a restart: on from what was dispatched, so a following viewer misses nothing of the outage
                for (TopicPartition tp : assigned) {
                    kafka.seek(tp, resumeAt[tp.partition()]);
                }
            } else {
                long[] start = new long[assigned.size()];
                for (TopicPartition tp : assigned) {
                    start[tp.partition()] = kafka.position(tp, READY_TIMEOUT);
                }
                synchronized (this) {
                    positions = start;
                }
            }
            failure = Optional.empty();
            started = true;
            ready.complete(assigned.size());
            LOG.infof("live log hub follows %d partitions of %s", assigned.size(), topic);
            while (running) {
                if (closeRequested) {
                    closeRequested = false;
                    kafka.close(Duration.ZERO); // the next poll fails: this consumer is closed
                }
                Duration stall = stallRequested;
                if (stall != null) {
                    stallRequested = null;
                    Thread.sleep(stall); // the loop blocked (a stuck call), as a test asks
                }
                ConsumerRecords<String, byte[]> records = kafka.poll(POLL);
                polled();
                dispatch(records);
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down during a test's stall
        } catch (RuntimeException e) {
            // readiness goes DOWN with the reason until the restart; subscribers wait for the first start only
            failure = Optional.of(e.getClass().getName() + ": " + e.getMessage());
            LOG.errorf("the live log consumer stopped, restarted in %s: %s", config.live().restartDelay(),
                    e.toString());
        } finally {
            consumer = null;
        }
    }

    /** Every partition of the topic (waiting for the topic to exist), positioned at its end. */
    private List<TopicPartition> assign(KafkaConsumer<String, byte[]> kafka) {
        while (running) {
            polled(); // waiting for the topic is progress, not a stuck loop
            try {
                List<PartitionInfo> infos = kafka.partitionsFor(topic, READY_TIMEOUT);
                if (infos != null && !infos.isEmpty()) {
                    List<TopicPartition> all = new ArrayList<>();
                    for (int p = 0; p < infos.size(); p++) {
                        all.add(new TopicPartition(topic, p));
                    }
                    kafka.assign(all);
                    kafka.seekToEnd(all);
                    return all;
                }
                LOG.debugf("topic %s has no partitions yet", topic);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                LOG.warnf("waiting for topic %s: %s", topic, e.getMessage());
            }
            try {
                Thread.sleep(500); // the topic is being created: retry, without spinning
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
        return List.of();
    }

    private void dispatch(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> batch = records.records(tp);
            // under the lock: a subscriber sees either "before my start" (reads it from Kafka) or "delivered"
            synchronized (this) {
                // a task's lines of this poll reach each of its viewers together: one wake-up per viewer per poll,
                // so the view writes them as one batch instead of waking (and flushing) for every line
                Map<String, List<ViewMessage.Line>> lines = new HashMap<>();
                for (ConsumerRecord<String, byte[]> record : batch) {
                    if (record.key() != null && byTask.containsKey(record.key())) {
                        line(record).ifPresent(line -> lines.computeIfAbsent(record.key(), k -> new ArrayList<>())
                                .add(line));
                    }
                    positions[tp.partition()] = record.offset() + 1;
                }
                lines.forEach((taskId, taskLines) -> byTask.getOrDefault(taskId, Set.of())
                        .forEach(subscription -> subscription.offer(taskLines)));
            }
        }
    }

    private static Optional<ViewMessage.Line> line(ConsumerRecord<String, byte[]> record) {
        Optional<FlowEvent> event = CloudEventRecords.fromRecord(record);
        if (event.isPresent() && event.get() instanceof LogLine line && line.taskId().equals(record.key())) {
            return Optional.of(ViewMessage.Line.of(new LogEntry(record.offset(), line)));
        }
        return Optional.empty();
    }

    /** One viewer's live feed: a bounded buffer the hub fills without ever waiting. */
    public final class Subscription implements AutoCloseable {
        private final String taskId;
        private final long start;
        private final int capacity;
        private final long byteBudget;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition notEmpty = lock.newCondition();
        /** Guarded by {@code lock}, as {@link #bytes}. */
        private final ArrayDeque<ViewMessage.Line> buffer = new ArrayDeque<>();
        /** Bytes of line text in the buffer. */
        private long bytes;
        private volatile boolean overflowed;
        private volatile int dropped;

        private Subscription(String taskId, long start, int capacity, long byteBudget) {
            this.taskId = taskId;
            this.start = start;
            this.capacity = capacity;
            this.byteBudget = byteBudget;
        }

        /** The first offset delivered live; older lines are the caller's to read from Kafka. */
        public long start() {
            return start;
        }

        /** The buffer was full once: it was dropped and nothing more is delivered to this subscription. */
        public boolean overflowed() {
            return overflowed;
        }

        /** How many buffered lines were dropped when the buffer overflowed. */
        public int dropped() {
            return dropped;
        }

        /** Up to {@code max} buffered lines (in offset order), waiting up to {@code timeout} for the first. */
        public List<ViewMessage.Line> take(int max, Duration timeout) throws InterruptedException {
            List<ViewMessage.Line> lines = new ArrayList<>();
            lock.lock();
            try {
                long wait = timeout.toNanos();
                while (buffer.isEmpty() && wait > 0 && !overflowed) {
                    wait = notEmpty.awaitNanos(wait);
                }
                while (lines.size() < max && !buffer.isEmpty()) {
                    ViewMessage.Line line = buffer.poll();
                    bytes -= line.entry().textBytes();
                    lines.add(line);
                }
            } finally {
                lock.unlock();
            }
            return lines;
        }

        /** Called by the hub's thread only: all of the lines, or (over either limit) none and the buffer dropped. */
        private void offer(List<ViewMessage.Line> lines) {
            if (overflowed) {
                return;
            }
            long size = 0;
            for (ViewMessage.Line line : lines) {
                size += line.entry().textBytes();
            }
            lock.lock();
            try {
                if (buffer.size() + lines.size() > capacity || bytes + size > byteBudget) {
                    dropped = buffer.size() + lines.size();
                    overflowed = true;
                    buffer.clear();
                    bytes = 0;
                } else {
                    buffer.addAll(lines);
                    bytes += size;
                }
                notEmpty.signal();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            unsubscribe(this);
            lock.lock();
            try {
                buffer.clear();
                bytes = 0;
            } finally {
                lock.unlock();
            }
        }
    }
}
