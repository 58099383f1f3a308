package dev.flow.submitter.service;

import dev.flow.model.error.FieldError;
import dev.flow.model.error.FlowError;
import dev.flow.model.error.FlowServiceError;
import dev.flow.model.error.FlowTimeoutError;
import dev.flow.model.error.TaskExecutionError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.status.TaskStatus;
import dev.flow.service.ssh.HostKeyChangedException;
import dev.flow.service.ssh.NodeShell;
import dev.flow.service.ssh.SshConnector;
import dev.flow.service.ssh.SshSettings;
import dev.flow.submitter.config.ExecConfig;
import dev.flow.submitter.domain.TaskEntity;
import dev.flow.submitter.repository.SshHostKeyRepository;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The seed's {@code task.shell(command, node)}: runs one command on one node of a running task over SSH with the
 * platform key, and returns (or streams) what it printed and its exit code.
 *
 * <p>SSHD's client API blocks (connect, auth, reads, waiting for the exit), so every SSH step runs on a virtual
 * thread of its own and is handed to the caller's {@link Uni}/{@link Multi}. The event loop never waits. Sessions are
 * capped ({@link ExecSessions}), a non-streamed answer keeps at most {@code max-output-bytes} per stream, and a
 * streamed one reads from SSH only as fast as its client reads (see {@link #stream}).
 */
@ApplicationScoped
public class ExecService {

    private static final Logger LOG = Logger.getLogger(ExecService.class);

    /** Where a command runs: one node (instance {@code instanceFid}) of one task of {@code project}. */
    public record Target(String taskId, String project, int node, String instanceFid, String host, int port) {
    }

    /** A finished command. */
    public record Result(String stdout, String stderr, int exitCode, int node, long durationMs, boolean truncated) {
    }

    /** One piece of a streamed run: output of one stream, the exit, or the failure that ended it. */
    public sealed interface Event {
        record Output(String stream, String data) implements Event {
        }

        record Exit(int exitCode, int node, long durationMs) implements Event {
        }

        record Failed(FlowError error) implements Event {
        }
    }

    private final TaskService tasks;
    private final ExecConfig config;
    private final ExecSessions sessions;
    private final SshConnector ssh;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("flow-exec-", 0).factory());

    public ExecService(TaskService tasks, ExecConfig config, ExecSessions sessions, SshHostKeyRepository hostKeys) {
        this.tasks = tasks;
        this.config = config;
        this.sessions = sessions;
        this.ssh = new SshConnector(new SshSettings(config.sshPrivateKeyPath(), config.exec().sshUser(),
                config.exec().connectTimeout(), config.exec().heartbeat()), hostKeys);
    }

    /** The timeout of a request ({@code null}: the default), checked against the allowed range. */
    public Duration timeout(Integer seconds) {
        int value = seconds == null ? config.exec().defaultTimeoutSeconds() : seconds;
        int max = config.exec().maxTimeoutSeconds();
        if (value < 1 || value > max) {
            throw ValidationError.of(new FieldError("timeout_seconds", "must be between 1 and " + max,
                    "run longer work as a task of its own, or detach it on the node with nohup … &"));
        }
        return Duration.ofSeconds(value);
    }

    /**
     * The node a command would run on: the task must be visible to the caller (else 404), running (else 409) and
     * have that node (else 422 on {@code node}).
     */
    public Uni<Target> target(String taskId, Collection<String> visibleProjects, int node) {
        return tasks.get(taskId, visibleProjects).map(task -> target(task, node));
    }

    static Target target(TaskEntity task, int node) {
        TaskStatus status = TaskStatus.parse(task.status);
        if (status != TaskStatus.RUNNING) {
            String suggestion = status.isTerminal()
                    ? "the task has ended; submit a new task to run more commands"
                    : "wait until the task is running (GET /v1/tasks/" + task.id + " shows is_running: true)";
            throw new TaskExecutionError("task " + task.id + " is " + status.json()
                    + ": commands run only on a running task", List.of(suggestion));
        }
        if (node < 0 || node >= task.numInstances) {
            throw ValidationError.of(new FieldError("node", "must be between 0 and " + (task.numInstances - 1)
                    + ": task " + task.id + " has " + task.numInstances + " node(s)", "0"));
        }
        InstanceInfo instance = TaskStore.instancesOf(task).stream().filter(i -> i.node() == node)
                .filter(i -> i.sshHost() != null && !i.sshHost().isBlank() && i.sshPort() != null)
                .findFirst()
                .orElseThrow(() -> new TaskExecutionError("node " + node + " of task " + task.id
                        + " has no SSH address yet", List.of("retry in a few seconds")));
        return new Target(task.id, task.project, node, instance.fid(), instance.sshHost(), instance.sshPort());
    }

    /** Runs the command to its end and answers with its (bounded) output. Holds one exec session slot. */
    public Uni<Result> run(Target target, String command, Duration timeout) {
        requireKey();
        ExecSessions.Permit permit = sessions.acquire(target.project());
        int cap = config.exec().maxOutputBytes();
        return Uni.createFrom().<Result>emitter(emitter -> threads.execute(() -> {
            BoundedBuffer out = new BoundedBuffer(cap);
            BoundedBuffer err = new BoundedBuffer(cap);
            long start = System.nanoTime();
            try (NodeShell shell = open(target)) {
                int exit = shell.run(command, out, err, timeout);
                emitter.complete(new Result(out.text(), err.text(), exit, target.node(), millisSince(start),
                        out.truncated() || err.truncated()));
            } catch (Throwable e) {
                emitter.fail(translate(target, timeout, e));
            }
        })).onTermination().invoke(permit::close);
    }

    /**
     * Streams the command's output as it comes ({@link Event.Output} chunks of whole UTF-8 characters), then its
     * {@link Event.Exit}, or {@link Event.Failed} when it could not run or timed out. Cancelling the stream (the
     * client went away) closes the session, which ends the remote command's channel.
     *
     * <p>Driven by demand: the next piece of output is read from the SSH channel only when the HTTP response asked
     * for it (it does once the previous piece was written to the socket). A slow reader so leaves the output in the
     * channel's window, whose flow control then pauses the node's command; this service's heap holds at most a
     * piece per stream. Holds one exec session slot, taken now (so a refusal is a plain 429) and freed when the
     * stream ends or is cancelled.
     */
    public Multi<Event> stream(Target target, String command, Duration timeout) {
        requireKey();
        ExecSessions.Permit permit = sessions.acquire(target.project());
        int piece = config.exec().streamChunkBytes();
        AtomicReference<Started> current = new AtomicReference<>();
        AtomicBoolean ended = new AtomicBoolean();
        return Uni.createFrom().item(() -> {
                    Started started = start(target, command);
                    current.set(started);
                    if (ended.get()) {
                        started.close(); // the client left while the session was being opened
                    }
                    return started;
                }).runSubscriptionOn(threads)
                .onItem().transformToMulti(started -> output(started, target, timeout, piece))
                .onFailure().recoverWithItem(e -> new Event.Failed(translate(target, timeout, e)))
                .onTermination().invoke(() -> {
                    ended.set(true);
                    Started started = current.get();
                    if (started != null) {
                        started.close();
                    }
                    permit.close();
                });
    }

    /** A streamed command: its session, its channel, when it started, and whether its time ran out. */
    private record Started(NodeShell shell, NodeShell.Running running, long start, AtomicBoolean timedOut) {
        void close() {
            running.close();
            shell.close();
        }
    }

    private Started start(Target target, String command) {
        NodeShell shell;
        try {
            shell = open(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return new Started(shell, shell.start(command), System.nanoTime(), new AtomicBoolean());
        } catch (IOException e) {
            shell.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            shell.close();
            throw e;
        }
    }

    private Multi<Event> output(Started started, Target target, Duration timeout, int piece) {
        // the time limit closes the channel: the reads then end and the last event says it timed out
        Cancellable timer = Uni.createFrom().voidItem().onItem().delayIt().by(timeout).subscribe().with(ignored -> {
            started.timedOut().set(true);
            started.running().close();
        });
        Multi<Event> both = Multi.createBy().merging().withConcurrency(2).withRequests(1).streams(
                pieces(started.running().stdout(), "stdout", piece),
                pieces(started.running().stderr(), "stderr", piece));
        Uni<Event> end = Uni.createFrom().<Event>item(() -> {
            if (started.timedOut().get()) {
                return new Event.Failed(translate(target, timeout, new TimeoutException()));
            }
            int exit = started.running().awaitExit(config.exec().connectTimeout());
            return new Event.Exit(exit, target.node(), millisSince(started.start()));
        }).runSubscriptionOn(threads);
        return Multi.createBy().concatenating().streams(both, end.toMulti())
                .onFailure().recoverWithItem(e -> new Event.Failed(translate(target, timeout,
                        started.timedOut().get() ? new TimeoutException() : e)))
                .onTermination().invoke(timer::cancel);
    }

    /** One stream's output, read a piece at a time on demand (a blocking read, on a virtual thread). */
    private Multi<Event> pieces(InputStream in, String stream, int piece) {
        Utf8Pieces text = new Utf8Pieces();
        return Multi.createBy().repeating()
                .uni(() -> Uni.createFrom().item(() -> readPiece(in, piece)).runSubscriptionOn(threads))
                .until(bytes -> bytes == END)
                .map(text::decode)
                .onCompletion().continueWith(() -> List.of(text.finish()))
                .filter(data -> !data.isEmpty())
                .map(data -> new Event.Output(stream, data));
    }

    private static final byte[] END = new byte[0];

    private static byte[] readPiece(InputStream in, int piece) {
        byte[] buffer = new byte[piece];
        try {
            int n = in.read(buffer);
            return n < 0 ? END : Arrays.copyOf(buffer, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void requireKey() {
        if (!ssh.configured()) {
            throw new FlowServiceError("exec is not available: the platform SSH key is not configured", 503,
                    List.of("set flow.submitter.ssh-private-key-path (env FLOW_PLATFORM_SSH_PRIVATE_KEY_PATH)"), null);
        }
    }

    private NodeShell open(Target target) throws IOException {
        // pinned per instance and address: a new instance behind a reused address is a new node, not a changed key
        return ssh.open(SshConnector.nodeId(target.instanceFid(), target.host(), target.port()), target.host(),
                target.port());
    }

    private static FlowError translate(Target target, Duration timeout, Throwable failure) {
        Throwable e = failure instanceof UncheckedIOException || failure instanceof CompletionException
                ? Objects.requireNonNullElse(failure.getCause(), failure) : failure;
        if (e instanceof FlowError flow) {
            return flow;
        }
        if (e instanceof TimeoutException) {
            return new FlowTimeoutError("the command was still running on node " + target.node() + " of task "
                    + target.taskId() + " after " + timeout.toSeconds() + " s and was stopped",
                    List.of("raise timeout_seconds", "detach long work on the node (nohup … &) or run it as a task"));
        }
        if (e instanceof HostKeyChangedException changed) {
            // the connector logged the fingerprints as a WARN
            return new FlowServiceError("refused: the SSH host key of node " + target.node() + " of task "
                    + target.taskId() + " changed since the first connect (" + changed.getMessage()
                    + "); no command was run", 502, List.of("the node may have been replaced behind the same "
                    + "address, or something is in between: ask the platform operator to check it",
                    "resubmit the task to run on fresh nodes"), null);
        }
        // the message names the node, never the key; the exception's own text goes to the log only
        LOG.warnf("exec on task %s node %d (%s:%d) failed: %s", target.taskId(), target.node(), target.host(),
                target.port(), e.toString());
        return new FlowServiceError("cannot reach node " + target.node() + " of task " + target.taskId()
                + " over SSH", 502, List.of("retry in a few seconds; the node may be starting or stopping"), e);
    }

    private static long millisSince(long start) {
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    void stop(@Observes ShutdownEvent event) {
        ssh.close();
        threads.shutdownNow();
    }

    /** Keeps the first {@code cap} bytes written (a non-streamed answer must stay bounded); grows as needed. */
    static final class BoundedBuffer extends OutputStream {
        private final int cap;
        private byte[] data = new byte[0];
        private int size;
        private boolean truncated;

        BoundedBuffer(int cap) {
            this.cap = cap;
        }

        @Override
        public synchronized void write(int b) {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int kept = Math.min(len, cap - size);
            if (size + kept > data.length) {
                data = Arrays.copyOf(data, Math.min(cap, Math.max(size + kept, data.length * 2)));
            }
            System.arraycopy(b, off, data, size, kept);
            size += kept;
            truncated |= kept < len;
        }

        synchronized boolean truncated() {
            return truncated;
        }

        synchronized String text() {
            // a multi-byte character cut at the cap decodes as U+FFFD, never as an exception
            return new String(data, 0, size, StandardCharsets.UTF_8);
        }
    }

    /** Decodes a byte stream piece by piece, keeping a UTF-8 sequence split between two pieces whole. */
    static final class Utf8Pieces {
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        private ByteBuffer pending = ByteBuffer.allocate(0);

        synchronized String decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.allocate(pending.remaining() + bytes.length);
            in.put(pending).put(bytes).flip();
            CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
            decoder.decode(in, out, false);
            pending = in.slice(); // an incomplete trailing sequence waits for the next piece
            return out.flip().toString();
        }

        /** What is left at the end: an incomplete sequence decodes as U+FFFD. */
        synchronized String finish() {
            CharBuffer out = CharBuffer.allocate(pending.remaining() + 2);
            decoder.decode(pending, out, true);
            decoder.flush(out);
            pending = ByteBuffer.allocate(0);
            return out.flip().toString();
        }
    }
}
