package dev.flow.logs.service;

import dev.flow.logs.config.LogsConfig;
import dev.flow.logs.kafka.LogEntry;
import dev.flow.logs.messaging.EventPublisher;
import dev.flow.service.ssh.NodeShell;
import dev.flow.service.ssh.SshConnector;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.LogStream;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * Tails container {@code main} of one node over SSH, on its own virtual thread (all SSH I/O blocks; it never touches
 * an event loop). Follows {@code docker logs --follow --timestamps --tail all}; when the follow ends it asks the node
 * whether the container exited: if so it reports the exit code, otherwise (session dropped, follow interrupted) it
 * reconnects with backoff and replays the log, skipping what {@link NodeLogState} says was published.
 */
final class NodeTail {

    /** Counts lines dropped by the rate limit (for the service's metrics/logs). */
    interface DropCounter {
        void dropped(String taskId, long lines, long bytes);
    }

    /** The line that reports lines dropped by the rate limit. */
    static final String DROPPED_MARKER = "[flow: %d lines (%d bytes) dropped: over the task's log rate limit]";

    /** What happens to the node's workload. */
    interface Listener {
        void exited(NodeTail tail, int exitCode, Instant at);
    }

    static final String FOLLOW = "docker logs main --follow --timestamps --tail all";
    /** One line: running flag, exit code, finish time (Go template of docker inspect). */
    static final String INSPECT = "docker inspect -f '{{.State.Running}} {{.State.ExitCode}} {{.State.FinishedAt}}' main";

    private static final Logger LOG = Logger.getLogger(NodeTail.class);

    record ContainerState(boolean running, int exitCode, Instant finishedAt) {
    }

    private final String taskId;
    private final int node;
    private final String instanceFid;
    private final String host;
    private final int port;
    private final NodeLogState state;
    private final Runnable beforeFirstSession;
    private final Listener listener;
    private final SshConnector ssh;
    private final EventPublisher publisher;
    private final LogsConfig config;
    private final Semaphore inFlight;
    private final LogRateLimit rateLimit;
    private final DropCounter dropCounter;
    /** Lines and bytes dropped by the rate limit and not yet reported, per stream; guarded by {@code state}. */
    private final long[] droppedLines = new long[LogStream.values().length];
    private final long[] droppedBytes = new long[LogStream.values().length];
    private final Instant[] lastDroppedTs = new Instant[LogStream.values().length];

    private final java.util.concurrent.atomic.AtomicInteger sessions = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean stopped;
    private volatile NodeShell shell;
    private volatile Thread thread;

    NodeTail(String taskId, int node, String instanceFid, String host, int port, NodeLogState state,
             Runnable beforeFirstSession, Listener listener, SshConnector ssh, EventPublisher publisher,
             LogsConfig config, LogRateLimit rateLimit, DropCounter dropCounter) {
        this.taskId = taskId;
        this.node = node;
        this.instanceFid = instanceFid;
        this.host = host;
        this.port = port;
        this.state = state;
        this.beforeFirstSession = beforeFirstSession;
        this.listener = listener;
        this.ssh = ssh;
        this.publisher = publisher;
        this.config = config;
        this.inFlight = new Semaphore(config.maxInFlight());
        this.rateLimit = rateLimit;
        this.dropCounter = dropCounter;
    }

    int node() {
        return node;
    }

    /** Same node, same machine: a repeated {@code running} event need not reconnect. */
    boolean sameTarget(String fid, String otherHost, int otherPort) {
        return java.util.Objects.equals(instanceFid, fid) && host.equals(otherHost) && port == otherPort;
    }

    boolean isStopped() {
        return stopped;
    }

    void start() {
        thread = Thread.ofVirtual().name("tail-" + taskId + "-" + node).start(this::run);
    }

    /** SSH sessions opened so far (the first one plus reconnects). */
    int sessions() {
        return sessions.get();
    }

    /** Drops the current session as a network failure would; the tail reconnects and resumes. */
    void dropSession() {
        NodeShell current = shell;
        if (current != null) {
            current.close();
        }
    }

    /** Ends the tail: closes the session, which ends the follow; no exit is reported for a stopped tail. */
    void stop() {
        stopped = true;
        NodeShell current = shell;
        if (current != null) {
            current.close();
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    private void run() {
        try {
            beforeFirstSession.run();
        } catch (RuntimeException e) {
            LOG.warnf("task %s node %d: cannot recover earlier lines from Kafka (%s); duplicates possible",
                    taskId, node, e.toString());
        }
        Duration delay = config.reconnectDelay();
        while (!stopped) {
            // a changed host key is refused (SshConnector logs a WARN): no lines from that node, retried with backoff
            try (NodeShell session = ssh.open(SshConnector.nodeId(instanceFid, host, port), host, port)) {
                shell = session;
                sessions.incrementAndGet();
                if (stopped) {
                    return;
                }
                if (inspect(session).isPresent()) {
                    delay = config.reconnectDelay();
                    follow(session);
                    Optional<ContainerState> after = stopped ? Optional.empty() : inspect(session);
                    if (after.isPresent() && !after.get().running()) {
                        drain();
                        if (!stopped) {
                            listener.exited(this, after.get().exitCode(), after.get().finishedAt());
                        }
                        stopped = true;
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!stopped) {
                    LOG.debugf("task %s node %d: ssh %s:%d: %s", taskId, node, host, port, e.toString());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                shell = null;
            }
            if (stopped) {
                return;
            }
            try {
                Thread.sleep(delay); // reconnect backoff, not synchronisation
            } catch (InterruptedException e) {
                return;
            }
            delay = delay.multipliedBy(2).compareTo(config.reconnectMaxDelay()) > 0
                    ? config.reconnectMaxDelay() : delay.multipliedBy(2);
        }
    }

    /** The container's state; empty while it does not exist yet (the startup script has not started it). */
    private Optional<ContainerState> inspect(NodeShell session) throws IOException {
        NodeShell.Result result = session.exec(INSPECT);
        if (result.exitCode() != 0) {
            return Optional.empty();
        }
        String[] words = result.out().trim().split("\\s+");
        if (words.length < 2) {
            return Optional.empty();
        }
        try {
            Instant finished = Instant.now();
            if (words.length >= 3) {
                try {
                    Instant parsed = Instant.parse(words[2]);
                    // docker reports the zero time while a container has not finished
                    finished = parsed.isBefore(Instant.EPOCH) ? finished : parsed;
                } catch (DateTimeParseException e) {
                    // keep the observation time
                }
            }
            return Optional.of(new ContainerState(Boolean.parseBoolean(words[0]), Integer.parseInt(words[1]), finished));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void follow(NodeShell session) throws IOException, InterruptedException {
        NodeLogState.Replay replay = state.new Replay();
        try (NodeShell.Running running = session.start(FOLLOW)) {
            Thread errors = Thread.ofVirtual().name("tail-" + taskId + "-" + node + "-err")
                    .start(() -> pump(running.stderr(), LogStream.STDERR, replay));
            pump(running.stdout(), LogStream.STDOUT, replay);
            errors.join();
            running.awaitExit(config.sshConnectTimeout());
        }
    }

    private void pump(InputStream in, LogStream stream, NodeLogState.Replay replay) {
        // bounded: a line longer than the cap is truncated while it is read, never buffered whole
        BoundedLineReader reader = new BoundedLineReader(in, config.maxLineBytes());
        try (in) {
            BoundedLineReader.Line raw;
            while (!stopped && (raw = reader.readLine()) != null) {
                publish(stream, raw.text(), replay);
            }
        } catch (IOException e) {
            // the session dropped or was closed: the caller decides whether to reconnect
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            reportDropped(stream);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void publish(LogStream stream, String raw, NodeLogState.Replay replay) throws InterruptedException {
        Stamped stamped = Stamped.parse(raw);
        // seq taken and send subscribed under one lock: the partition sees lines in seq order
        synchronized (state) {
            if (replay.seen(stream, stamped.ts())) {
                return;
            }
            int size = (int) LogEntry.utf8Length(stamped.text());
            if (!rateLimit.tryTake(size)) {
                droppedLines[stream.ordinal()]++;
                droppedBytes[stream.ordinal()] += size;
                lastDroppedTs[stream.ordinal()] = stamped.ts();
                return;
            }
            reportDropped(stream);
            send(new LogLine(taskId, node, state.claim(stream, stamped.ts()), stamped.ts(), stream, stamped.text()));
        }
    }

    /** Publishes the marker line for lines the rate limit dropped on this stream, if any. */
    private void reportDropped(LogStream stream) throws InterruptedException {
        synchronized (state) {
            long lines = droppedLines[stream.ordinal()];
            if (lines == 0) {
                return;
            }
            long bytes = droppedBytes[stream.ordinal()];
            droppedLines[stream.ordinal()] = 0;
            droppedBytes[stream.ordinal()] = 0;
            dropCounter.dropped(taskId, lines, bytes);
            // the marker takes the time of the last dropped line: the stream stays in time order, and a replay after a
            // reconnect treats the dropped lines as published (they were reported) and resumes after them
            Instant ts = lastDroppedTs[stream.ordinal()];
            send(new LogLine(taskId, node, state.claim(stream, ts), ts, stream,
                    String.format(DROPPED_MARKER, lines, bytes)));
        }
    }

    /** Sends one line; called holding {@code state}, so lines reach the partition in seq order. */
    private void send(LogLine line) throws InterruptedException {
        inFlight.acquire();
        publisher.line(line).subscribe().with(ok -> inFlight.release(), failure -> {
            inFlight.release();
            LOG.warnf("task %s node %d: log line %d not published: %s", taskId, node, line.seq(),
                    failure.toString());
        });
    }

    /** Waits until every line sent so far is acknowledged, so the exit is reported after the last line. */
    private void drain() throws InterruptedException {
        inFlight.acquire(config.maxInFlight());
        inFlight.release(config.maxInFlight());
    }

    /** A line of {@code docker logs --timestamps}: RFC 3339 time, one space, the text. */
    record Stamped(Instant ts, String text) {
        static Stamped parse(String raw) {
            int space = raw.indexOf(' ');
            if (space < 0) {
                space = raw.length(); // an empty line: the time alone
            }
            if (space > 0) {
                try {
                    return new Stamped(Instant.parse(raw.substring(0, space)),
                            space < raw.length() ? raw.substring(space + 1) : "");
                } catch (DateTimeParseException e) {
                    // not stamped: keep the whole line
                }
            }
            return new Stamped(Instant.now(), raw);
        }
    }
}
