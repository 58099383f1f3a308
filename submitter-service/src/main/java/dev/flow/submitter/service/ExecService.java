package dev.flow.submitter.service;

import dev.flow.model.error.FieldError;
import dev.flow.model.error.FlowError;
import dev.flow.model.error.FlowServiceError;
import dev.flow.model.error.FlowTimeoutError;
import dev.flow.model.error.TaskExecutionError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.status.TaskStatus;
import dev.flow.service.ssh.NodeShell;
import dev.flow.service.ssh.SshConnector;
import dev.flow.service.ssh.SshSettings;
import dev.flow.submitter.config.ExecConfig;
import dev.flow.submitter.domain.TaskEntity;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The seed's {@code task.shell(command, node)}: runs one command on one node of a running task over SSH with the
 * platform key, and returns (or streams) what it printed and its exit code.
 *
 * <p>SSHD's client API blocks (connect, auth, waiting for the exit), so every SSH step runs on a virtual thread of
 * its own; output arrives on SSHD's I/O threads and is handed to the caller's {@link Uni}/{@link Multi}. The event
 * loop never waits.
 */
@ApplicationScoped
public class ExecService {

    private static final Logger LOG = Logger.getLogger(ExecService.class);

    /** Where a command runs: one node of one task. */
    public record Target(String taskId, int node, String host, int port) {
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
    private final SshConnector ssh;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("flow-exec-", 0).factory());
    private final AtomicInteger active = new AtomicInteger();

    public ExecService(TaskService tasks, ExecConfig config) {
        this.tasks = tasks;
        this.config = config;
        this.ssh = new SshConnector(new SshSettings(config.sshPrivateKeyPath(), config.exec().sshUser(),
                config.exec().connectTimeout(), config.exec().heartbeat()));
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
        return new Target(task.id, node, instance.sshHost(), instance.sshPort());
    }

    /** Runs the command to its end and answers with its (bounded) output. */
    public Uni<Result> run(Target target, String command, Duration timeout) {
        requireKey();
        int cap = config.exec().maxOutputBytes();
        return Uni.createFrom().<Result>emitter(emitter -> session(() -> {
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
        }));
    }

    /**
     * Streams the command's output as it comes ({@link Event.Output} chunks of whole UTF-8 characters), then its
     * {@link Event.Exit}, or {@link Event.Failed} when it could not run or timed out. Cancelling the stream (the
     * client went away) closes the session, which ends the remote command's channel.
     */
    public Multi<Event> stream(Target target, String command, Duration timeout) {
        requireKey();
        return Multi.createFrom().emitter(emitter -> {
            AtomicReference<NodeShell> open = new AtomicReference<>();
            emitter.onTermination(() -> {
                NodeShell shell = open.getAndSet(null);
                if (shell != null) {
                    shell.close();
                }
            });
            session(() -> {
                long start = System.nanoTime();
                try (NodeShell shell = open(target)) {
                    open.set(shell);
                    int exit = shell.run(command, new Chunks("stdout", emitter), new Chunks("stderr", emitter),
                            timeout);
                    synchronized (emitter) {
                        emitter.emit(new Event.Exit(exit, target.node(), millisSince(start)));
                    }
                } catch (Throwable e) {
                    if (!emitter.isCancelled()) {
                        synchronized (emitter) {
                            emitter.emit(new Event.Failed(translate(target, timeout, e)));
                        }
                    }
                } finally {
                    open.set(null);
                    emitter.complete();
                }
            });
        });
    }

    /** How many commands run now (both kinds): the gauge flow_exec_sessions_active. */
    public int activeSessions() {
        return active.get();
    }

    /** Runs one command's work on its own virtual thread, counted while it runs. */
    private void session(Runnable work) {
        threads.execute(() -> {
            active.incrementAndGet();
            try {
                work.run();
            } finally {
                active.decrementAndGet();
            }
        });
    }

    private void requireKey() {
        if (!ssh.configured()) {
            throw new FlowServiceError("exec is not available: the platform SSH key is not configured", 503,
                    List.of("set flow.submitter.ssh-private-key-path (env FLOW_PLATFORM_SSH_PRIVATE_KEY_PATH)"), null);
        }
    }

    private NodeShell open(Target target) throws IOException {
        return ssh.open(target.host(), target.port());
    }

    private static FlowError translate(Target target, Duration timeout, Throwable e) {
        if (e instanceof FlowError flow) {
            return flow;
        }
        if (e instanceof TimeoutException) {
            return new FlowTimeoutError("the command was still running on node " + target.node() + " of task "
                    + target.taskId() + " after " + timeout.toSeconds() + " s and was stopped",
                    List.of("raise timeout_seconds", "detach long work on the node (nohup … &) or run it as a task"));
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

    /** Keeps the first {@code cap} bytes written (a non-streamed answer must stay bounded). */
    static final class BoundedBuffer extends OutputStream {
        private final byte[] data;
        private int size;
        private boolean truncated;

        BoundedBuffer(int cap) {
            data = new byte[cap];
        }

        @Override
        public synchronized void write(int b) {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int kept = Math.min(len, data.length - size);
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

    /** Turns the bytes SSHD writes into text chunks, keeping a UTF-8 sequence split between writes whole. */
    static final class Chunks extends OutputStream {
        private final String stream;
        private final MultiEmitter<? super Event> emitter;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        private ByteBuffer pending = ByteBuffer.allocate(0);

        Chunks(String stream, MultiEmitter<? super Event> emitter) {
            this.stream = stream;
            this.emitter = emitter;
        }

        @Override
        public void write(int b) {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            ByteBuffer in = ByteBuffer.allocate(pending.remaining() + len);
            in.put(pending).put(b, off, len).flip();
            CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
            decoder.decode(in, out, false);
            pending = in.slice(); // an incomplete trailing sequence waits for the next write
            out.flip();
            if (out.hasRemaining() && !emitter.isCancelled()) {
                synchronized (emitter) {
                    emitter.emit(new Event.Output(stream, out.toString()));
                }
            }
        }
    }
}
