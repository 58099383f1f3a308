package dev.flow.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

import dev.flow.client.Task;
import dev.flow.client.TaskView;
import dev.flow.model.error.ResourceNotFoundError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "status", aliases = "ls", description = {
        "List tasks (active ones; --all for every recent task), or show the given tasks.",
        "--watch: redraw on a terminal whenever a task changes; elsewhere one line per change. Ctrl-C ends it."})
final class StatusCommand implements Callable<Integer> {

    private static final List<String> ACTIVE = List.of("pending", "running", "paused", "preempting");
    /** Clear the screen and go home: the whole table is redrawn on a change. */
    private static final String REDRAW = "\u001b[H\u001b[2J";

    @ParentCommand
    FlowCli cli;

    @Parameters(arity = "0..*", paramLabel = "TASK")
    List<String> taskIds = new ArrayList<>();

    @Option(names = {"-a", "--all"}, description = "include completed, failed and cancelled tasks")
    boolean all;

    @Option(names = "--limit", defaultValue = "50", description = "at most this many (default 50)")
    int limit;

    @Option(names = {"-w", "--watch"}, description = "keep watching: show each change until Ctrl-C")
    boolean watch;

    @Option(names = "--interval", defaultValue = "2s", paramLabel = "DURATION",
            description = "with --watch: how often to read the tasks (default 2s; e.g. 500ms, 5s)")
    String interval;

    @Override
    public Integer call() {
        Output output = cli.output();
        if (watch) {
            return watch(output, pollInterval());
        }
        if (taskIds.size() == 1) {
            printTask(output, cli.flow().getTask(taskIds.get(0)).view());
            return ExitCodes.OK;
        }
        List<TaskView> views = read();
        output.print(views, views, columns());
        return ExitCodes.OK;
    }

    private List<TaskView> read() {
        return taskIds.isEmpty()
                ? cli.flow().listTasks(limit, all ? List.of() : ACTIVE).stream().map(Task::view).toList()
                : taskIds.stream().map(id -> cli.flow().getTask(id).view()).toList();
    }

    static List<Output.Column<TaskView>> columns() {
        return List.of(
                Output.Column.of("TASK", TaskView::taskId),
                Output.Column.of("NAME", TaskView::name),
                Output.Column.of("STATUS", v -> v.status() == null ? null : v.status().json()),
                Output.Column.of("REASON", TaskView::reason),
                Output.Column.of("TYPE", v -> Output.instanceType(v.instanceType())),
                Output.Column.of("NODES", TaskView::numInstances),
                Output.Column.wide("PROJECT", TaskView::project),
                Output.Column.of("REGION", TaskView::region),
                Output.Column.of("$/H", TaskView::costPerHour),
                Output.Column.of("COST", TaskView::totalCost),
                Output.Column.wide("LIMIT $/H", TaskView::limitPrice),
                Output.Column.wide("SSH", TaskView::sshCommand),
                Output.Column.of("AGE", v -> age(v.createdAt())));
    }

    /**
     * Polls the list every {@code every}. On a terminal the table is redrawn when any task's state (not its age)
     * changed; elsewhere each change is one line (or one JSON object with {@code -o json}). A task that leaves the
     * list (it ended, without --all) is read once more so its final status is shown. Ends when interrupted (Ctrl-C).
     */
    private int watch(Output output, Duration every) {
        boolean terminal = cli.console().isTerminal() && output.isTable();
        Map<String, TaskView> seen = new LinkedHashMap<>();
        String lastScreen = null;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                List<TaskView> views = read();
                if (terminal) {
                    String screen = views.stream().map(StatusCommand::state).toList().toString();
                    if (!screen.equals(lastScreen)) {
                        cli.out().print(REDRAW);
                        output.print(views, views, columns());
                        lastScreen = screen;
                    }
                } else {
                    Map<String, TaskView> now = new LinkedHashMap<>();
                    views.forEach(v -> now.put(v.taskId(), v));
                    for (String gone : seen.keySet()) {
                        if (!now.containsKey(gone)) {
                            finalView(gone).ifPresent(v -> change(output, seen.get(gone), v));
                        }
                    }
                    for (TaskView v : views) {
                        TaskView before = seen.get(v.taskId());
                        if (before == null || !state(before).equals(state(v))) {
                            change(output, before, v);
                        }
                    }
                    seen.clear();
                    seen.putAll(now);
                }
                cli.out().flush();
                Thread.sleep(every.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // a call cut short by the interrupt (Ctrl-C) ends the watch like the sleep does; anything else is an error
            if (!Thread.currentThread().isInterrupted()) {
                throw e;
            }
        }
        return ExitCodes.INTERRUPTED;
    }

    private java.util.Optional<TaskView> finalView(String taskId) {
        try {
            return java.util.Optional.of(cli.flow().getTask(taskId).view());
        } catch (ResourceNotFoundError deleted) {
            return java.util.Optional.empty();
        }
    }

    /** One line per change: when, task, name, old → new status, reason (or the view as one JSON/YAML document). */
    private void change(Output output, TaskView before, TaskView after) {
        switch (output.format()) {
            case json -> cli.out().println(Output.json(after).replaceAll("\\s*\\n\\s*", " "));
            case yaml -> cli.out().print("---\n" + Output.yaml(after));
            case name -> cli.out().println(after.taskId());
            case table, wide -> cli.out().println(Instant.now().toString().replaceAll("\\.\\d+Z$", "Z") + "  "
                    + after.taskId() + "  " + Objects.requireNonNullElse(after.name(), "-") + "  "
                    + (before == null || before.status() == after.status() ? "" : before.status().json() + " -> ")
                    + (after.status() == null ? "-" : after.status().json())
                    + (after.reason() == null ? "" : " (" + after.reason() + ")")
                    + (after.numInstances() == null ? "" : "  nodes " + after.numInstances())
                    + (after.totalCost() == null ? "" : "  cost " + after.totalCost()));
        }
    }

    /** What a change is: status, reason, nodes, price (not the age or the cost that grows every second). */
    private static String state(TaskView v) {
        return v.taskId() + "|" + v.status() + "|" + v.reason() + "|" + v.numInstances() + "|" + v.costPerHour()
                + "|" + (v.instances() == null ? 0 : v.instances().size());
    }

    private Duration pollInterval() {
        String text = interval.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            Duration d = text.endsWith("ms") ? Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)))
                    : text.endsWith("s") ? Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)))
                    : Duration.ofSeconds(Long.parseLong(text));
            if (d.toMillis() < 200) {
                throw new IllegalArgumentException("--interval must be at least 200ms (got " + interval + ")");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--interval: not a duration: " + interval + " (e.g. 500ms, 2s)");
        }
    }

    static void printTask(Output output, TaskView v) {
        output.printObject(v, Output.fields(
                "task_id", v.taskId(), "name", v.name(), "project", v.project(),
                "status", output.status(v.status()), "reason", v.reason(), "message", v.message(),
                "created_at", v.createdAt(), "started_at", v.startedAt(), "completed_at", v.completedAt(),
                "instance_type", Output.instanceType(v.instanceType()), "num_instances", v.numInstances(),
                "region", v.region(), "instances", v.instances(), "cost_per_hour", v.costPerHour(),
                "limit_price", v.limitPrice(), "total_cost", v.totalCost(), "ssh_command", v.sshCommand()));
    }

    static String age(Instant created) {
        if (created == null) {
            return null;
        }
        Duration d = Duration.between(created, Instant.now());
        if (d.toHours() > 48) {
            return d.toDays() + "d";
        }
        if (d.toMinutes() > 90) {
            return d.toHours() + "h";
        }
        if (d.toSeconds() > 90) {
            return d.toMinutes() + "m";
        }
        return Math.max(0, d.toSeconds()) + "s";
    }
}
