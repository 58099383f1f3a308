package dev.flow.logs.service;

import dev.flow.logs.config.LogsConfig;
import dev.flow.logs.kafka.LogCursor;
import dev.flow.logs.kafka.LogEntry;
import dev.flow.logs.kafka.LogReader;
import dev.flow.logs.messaging.EventPublisher;
import dev.flow.service.ssh.SshConnector;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.LogStream;
import dev.flow.model.event.WorkloadExited;
import dev.flow.model.status.TaskStatus;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Collection: which nodes are tailed, driven by the status events and snapshots of the tasks whose partitions this
 * replica owns (see {@link dev.flow.logs.messaging.OwnershipRebalanceListener}). A {@code running} task gets one {@link NodeTail} per node that has an SSH address; any other status stops its tails
 * (a task that comes back to {@code running} resumes without duplicates); a terminal status forgets the task.
 *
 * <p>When does a task's workload count as exited? A multi-node job is one program: it has failed as soon as any node
 * fails, and succeeded only when every node finished cleanly. So exactly one {@link WorkloadExited} is published per
 * task run (a run = one {@code restartCount}): at the first node that exits non-zero (that node, its code), or when the
 * last node exits with 0 (that node, 0). Every node's exit is logged.
 */
@ApplicationScoped
public class LogCollector {

    private static final Logger LOG = Logger.getLogger(LogCollector.class);
    /** How far back to look in Kafka for the lines of a task tailed before a restart of this service. */
    private static final int RECOVERY_LINES = 2000;
    /** ...and how many offsets of the (shared) partition at most, so a new task does not read it all. */
    private static final long RECOVERY_SCAN = 50_000;
    private static final int ENDED_REMEMBERED = 10_000;

    private final SshConnector ssh;
    private final EventPublisher publisher;
    private final LogReader reader;
    private final LogsConfig config;
    private final Map<String, TaskTail> tasks = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong droppedByRateLimit = new java.util.concurrent.atomic.AtomicLong();
    /** When recently finished tasks ended, so a late, older observation does not restart them. Guarded by this. */
    private final Map<String, Instant> ended = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > ENDED_REMEMBERED;
        }
    };

    public LogCollector(SshConnector ssh, EventPublisher publisher, LogReader reader, LogsConfig config) {
        this.ssh = ssh;
        this.publisher = publisher;
        this.reader = reader;
        this.config = config;
    }

    /**
     * Applies what the poller says about a task, read from {@code source} (a partition this replica owns).
     * Non-blocking: tails start and stop on their own virtual threads. An observation older than one already applied
     * is dropped: status events and snapshots of one task come from two topics, in no fixed order between them.
     */
    public synchronized void observe(TaskObservation event, TopicPartition source) {
        Instant endedAt = ended.get(event.taskId());
        if (endedAt != null && event.at().isBefore(endedAt)) {
            return;
        }
        TaskTail task = tasks.get(event.taskId());
        if (task != null && event.at().isBefore(task.lastAt)) {
            return;
        }
        if (event.status() == TaskStatus.RUNNING) {
            if (!ssh.configured()) {
                LOG.warnf("task %s is running but flow.logs.ssh-private-key-path is not set: not tailed",
                        event.taskId());
                return;
            }
            ended.remove(event.taskId());
            task = tasks.computeIfAbsent(event.taskId(), TaskTail::new);
            task.lastAt = event.at();
            task.sources.add(source);
            task.running(event);
            return;
        }
        if (event.status().isTerminal()) {
            ended.put(event.taskId(), event.at());
            task = tasks.remove(event.taskId());
        } else if (task != null) {
            task.lastAt = event.at();
            task.sources.add(source);
        }
        if (task != null) {
            task.stopAll();
        }
    }

    /**
     * Another replica now owns these partitions: stop (and forget) the tasks read from them. The new owner rebuilds
     * them from {@code flow.task.state} and recovers the published lines from Kafka.
     */
    public synchronized void release(Collection<TopicPartition> partitions) {
        tasks.entrySet().removeIf(entry -> {
            if (entry.getValue().sources.stream().anyMatch(partitions::contains)) {
                entry.getValue().stopAll();
                LOG.debugf("task %s: partition revoked, tail stopped", entry.getKey());
                return true;
            }
            return false;
        });
    }

    /** Node ranks currently tailed for a task (for tests and diagnostics). */
    public Set<Integer> tailedNodes(String taskId) {
        TaskTail task = tasks.get(taskId);
        return task == null ? Set.of() : task.activeNodes();
    }

    /** SSH sessions opened for a task's current tails, reconnects included (diagnostics). */
    public int sessionsOpened(String taskId) {
        TaskTail task = tasks.get(taskId);
        return task == null ? 0 : task.sessions();
    }

    /**
     * Drops the task's SSH sessions as a network failure would: the tails reconnect and resume without duplicates.
     * For operators (a wedged session) and for tests of the reconnect path.
     */
    public void reconnect(String taskId) {
        TaskTail task = tasks.get(taskId);
        if (task != null) {
            task.dropSessions();
        }
    }

    /** Lines dropped by the per-task rate limit since start (a Micrometer counter once the service has metrics). */
    public long linesDroppedByRateLimit() {
        return droppedByRateLimit.get();
    }

    private void droppedByRateLimit(String taskId, long lines, long bytes) {
        droppedByRateLimit.addAndGet(lines);
        LOG.debugf("task %s: %d log lines (%d bytes) dropped: over the log rate limit", taskId, lines, bytes);
    }

    synchronized void shutdown(@Observes ShutdownEvent event) {
        tasks.values().forEach(TaskTail::stopAll);
        tasks.clear();
    }

    /** One task: its nodes' tails and publication state, and the exit decision of the current run. */
    private final class TaskTail {
        private final String taskId;
        /** Event time of the last observation applied (guarded by the collector). */
        private Instant lastAt = Instant.MIN;
        /** The owned partitions this task was read from (guarded by the collector). */
        private final Set<TopicPartition> sources = new HashSet<>();
        private final Map<Integer, NodeLogState> states = new HashMap<>();
        private final Map<Integer, NodeTail> tails = new HashMap<>();
        private final Map<Integer, Integer> exits = new HashMap<>();
        private final Set<Integer> nodes = new TreeSet<>();
        private int run = -1;
        private boolean exitPublished;
        private final Object recoveryLock = new Object();
        private boolean recovered; // guarded by recoveryLock

        /** One budget for all nodes and streams of the task. */
        private final LogRateLimit rateLimit = new LogRateLimit(config.rateLimit().linesPerSecond(),
                config.rateLimit().bytesPerSecond());

        TaskTail(String taskId) {
            this.taskId = taskId;
        }

        synchronized void running(TaskObservation event) {
            if (event.restartCount() != run) {
                // a resubmitted task is a new run on new machines: a new exit to report
                stopAll();
                run = event.restartCount();
                exits.clear();
                exitPublished = false;
            }
            nodes.clear();
            for (int n = 0; n < event.numInstances(); n++) {
                nodes.add(n);
            }
            event.instances().forEach(i -> nodes.add(i.node()));
            for (InstanceInfo instance : event.instances()) {
                if (instance.sshHost() == null || instance.sshHost().isBlank() || instance.sshPort() == null) {
                    continue;
                }
                int node = instance.node();
                NodeTail current = tails.get(node);
                if (exits.containsKey(node)
                        || (current != null && !current.isStopped()
                        && current.sameTarget(instance.fid(), instance.sshHost(), instance.sshPort()))) {
                    continue;
                }
                if (current != null) {
                    current.stop();
                }
                NodeTail tail = new NodeTail(taskId, node, instance.fid(), instance.sshHost(), instance.sshPort(),
                        states.computeIfAbsent(node, n -> new NodeLogState()), this::recoverOnce, this::nodeExited,
                        ssh, publisher, config, rateLimit, LogCollector.this::droppedByRateLimit);
                tails.put(node, tail);
                tail.start();
            }
        }

        synchronized void stopAll() {
            tails.values().forEach(NodeTail::stop);
            tails.clear();
        }

        synchronized int sessions() {
            return tails.values().stream().mapToInt(NodeTail::sessions).sum();
        }

        synchronized void dropSessions() {
            tails.values().forEach(NodeTail::dropSession);
        }

        synchronized Set<Integer> activeNodes() {
            Set<Integer> active = new TreeSet<>();
            tails.forEach((node, tail) -> {
                if (!tail.isStopped()) {
                    active.add(node);
                }
            });
            return active;
        }

        private void nodeExited(NodeTail tail, int exitCode, Instant at) {
            WorkloadExited event;
            synchronized (this) {
                if (tails.get(tail.node()) != tail) {
                    return; // a tail replaced or stopped meanwhile
                }
                exits.put(tail.node(), exitCode);
                LOG.infof("task %s node %d: workload exited with %d", taskId, tail.node(), exitCode);
                if (exitPublished) {
                    return;
                }
                boolean allDone = exits.keySet().containsAll(nodes);
                if (exitCode == 0 && !allDone) {
                    return;
                }
                exitPublished = true;
                event = new WorkloadExited(taskId, tail.node(), exitCode, at);
            }
            // on the tail's virtual thread: waiting for the broker's acknowledgement blocks no event loop
            try {
                publisher.exited(event).await().atMost(Duration.ofSeconds(60));
            } catch (RuntimeException e) {
                LOG.errorf("task %s: WorkloadExited(%d) not published: %s", taskId, exitCode, e.toString());
                synchronized (this) {
                    exitPublished = false;
                }
            }
        }

        /**
         * After a restart of this service the lines published before are in Kafka, not in memory: read the task's
         * recent lines once, so seq continues and a replayed log is not published twice.
         */
        private void recoverOnce() {
            // every node's tail waits here until the task's recovery is done, so none starts publishing early
            synchronized (recoveryLock) {
                if (!recovered) {
                    recover();
                    recovered = true;
                }
            }
        }

        private void recover() {
            List<LogEntry> recent;
            try (LogCursor cursor = reader.open(taskId)) {
                recent = cursor.tail(RECOVERY_LINES, cursor.endOffset(), RECOVERY_SCAN);
            }
            Map<Integer, Long> nextSeq = new HashMap<>();
            Map<Integer, Map<LogStream, NodeLogState.Mark>> marks = new HashMap<>();
            for (LogEntry entry : recent) {
                LogLine line = entry.line();
                nextSeq.merge(line.node(), line.seq() + 1, Math::max);
                Map<LogStream, NodeLogState.Mark> byStream =
                        marks.computeIfAbsent(line.node(), n -> new EnumMap<>(LogStream.class));
                NodeLogState.Mark mark = byStream.get(line.stream());
                if (mark == null || line.ts().isAfter(mark.lastTs())) {
                    byStream.put(line.stream(), new NodeLogState.Mark(line.ts(), 1));
                } else if (line.ts().equals(mark.lastTs())) {
                    byStream.put(line.stream(), new NodeLogState.Mark(line.ts(), mark.countAtLastTs() + 1));
                }
            }
            synchronized (this) {
                nextSeq.forEach((node, seq) -> states.computeIfAbsent(node, n -> new NodeLogState())
                        .recover(seq, marks.getOrDefault(node, Map.of())));
            }
        }
    }
}
