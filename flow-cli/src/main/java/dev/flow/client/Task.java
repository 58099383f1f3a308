package dev.flow.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.model.error.FlowTimeoutError;
import dev.flow.model.status.TaskStatus;

/**
 * The seed's {@code Task}: what {@link Flow#run} returns, to monitor and control a task. Attribute methods answer
 * from the last view read ({@link #refresh()} reads it again); {@link #waitFor} and {@link #stop()} refresh it too.
 */
public final class Task {

    private final Flow flow;
    private volatile TaskView view;

    Task(Flow flow, TaskView view) {
        this.flow = flow;
        this.view = view;
    }

    /** Everything the platform answered about the task, as one record (the CLI prints it). */
    public TaskView view() {
        return view;
    }

    public String taskId() { return view.taskId(); }
    public String name() { return view.name(); }
    public TaskStatus status() { return view.status(); }
    public String reason() { return view.reason(); }
    public String message() { return view.message(); }
    public Instant createdAt() { return view.createdAt(); }
    public Instant startedAt() { return view.startedAt(); }
    public Instant completedAt() { return view.completedAt(); }
    public String instanceType() { return view.instanceType(); }
    public int numInstances() { return view.numInstances(); }
    public String region() { return view.region(); }
    public List<String> instances() { return view.instances(); }
    public String costPerHour() { return view.costPerHour(); }
    public String totalCost() { return view.totalCost(); }
    public String sshHost() { return view.sshHost(); }
    public int sshPort() { return view.sshPort(); }
    public String sshUser() { return view.sshUser(); }
    public String sshCommand() { return view.sshCommand(); }
    public Map<String, String> endpoints() { return view.endpoints(); }
    /** The original configuration as the platform keeps it: env values redacted. */
    public JsonNode config() { return view.config(); }

    public boolean isRunning() {
        return view.status() == TaskStatus.RUNNING;
    }

    public boolean isTerminal() {
        return view.status() != null && view.status().isTerminal();
    }

    /** {@code task.refresh()}: reads the task again. */
    public Task refresh() {
        view = flow.fetch(taskId());
        return this;
    }

    /** {@code task.wait()} without a limit. */
    public Task waitFor() {
        return waitFor(null);
    }

    /**
     * {@code task.wait(timeout)}: blocks until the task is completed, failed or cancelled. Throws the seed's
     * TimeoutError ({@link FlowTimeoutError}) when it is not after {@code timeout}; the task keeps running.
     */
    public Task waitFor(Duration timeout) {
        return waitFor(timeout, v -> { });
    }

    /** As {@link #waitFor(Duration)}, handing every status read to {@code onStatus} (the CLI's live line). */
    public Task waitFor(Duration timeout, Consumer<TaskView> onStatus) {
        view = flow.watch().await(taskId(), v -> v.status() != null && v.status().isTerminal(), v -> {
            view = v;
            onStatus.accept(v);
        }, timeout, () -> Flow.timeout("task " + taskId() + " is still " + view.status(), timeout, List.of(
                "wait longer: task.waitFor(Duration.ofMinutes(...)) or `flow status " + taskId() + "`",
                "see what it does: `flow logs -f " + taskId() + "`",
                "stop it: task.stop() or `flow cancel " + taskId() + "`")));
        return this;
    }

    /** Waits until the task has left {@code pending} (running or ended). */
    public Task waitUntilStarted(Duration timeout, Consumer<TaskView> onStatus) {
        view = flow.watch().await(taskId(), v -> v.status() != null && v.status() != TaskStatus.PENDING, v -> {
            view = v;
            onStatus.accept(v);
        }, timeout, () -> Flow.timeout("task " + taskId() + " is still pending", timeout,
                List.of("a spot bid waits while the price is above the limit: raise --max-price",
                        "look at offers: `flow instances`")));
        return this;
    }

    /** {@code task.stop()}: cancels the task (its bid); it ends {@code cancelled}. */
    public Task stop() {
        view = flow.cancel(taskId());
        return this;
    }

    /** {@code task.cancel()}: the same as {@link #stop()}. */
    public Task cancel() {
        return stop();
    }

    /** {@code task.logs(tail=N)}: the last {@code tail} lines as one string. */
    public String logs(int tail) {
        StringBuilder out = new StringBuilder();
        try (Stream<LogLine> lines = logLines(false, tail, null)) {
            lines.forEach(l -> out.append(l.text()).append('\n'));
        }
        return out.toString();
    }

    public String logs() {
        return logs(100);
    }

    /**
     * {@code task.logs(follow=True)}: the last {@code tail} lines, then new lines as the task prints them, until the
     * task ends. Over the log-streamer's WebSocket, resuming after the last line received when the connection drops.
     * Close the stream to stop early.
     */
    public Stream<String> logs(boolean follow, int tail) {
        return logLines(follow, tail, null).map(LogLine::text);
    }

    /** The lines with their node, sequence, time and resume token; {@code node} null means every node. */
    public Stream<LogLine> logLines(boolean follow, int tail, Integer node) {
        LogFollower follower = new LogFollower(flow, this, follow, tail, node);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(follower, Spliterator.ORDERED), false)
                .onClose(follower::close);
    }

    /** {@code task.shell(command)} on node 0. */
    public ExecResult shell(String command) {
        return shell(command, null);
    }

    /**
     * {@code task.shell(command, node)}: runs the command on that node ({@code POST /v1/tasks/{id}/exec}) and returns
     * its output and exit code. An interactive session is the CLI's {@code flow ssh TASK}.
     */
    public ExecResult shell(String command, Integer node) {
        return flow.exec(taskId(), command, node, null);
    }

    void update(TaskView newer) {
        view = newer;
    }

    @Override
    public String toString() {
        return "Task[" + view.taskId() + " " + view.name() + " " + view.status() + "]";
    }
}
