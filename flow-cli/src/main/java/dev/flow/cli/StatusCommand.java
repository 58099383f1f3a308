package dev.flow.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.flow.client.Task;
import dev.flow.client.TaskView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "status", aliases = "ls", description = {
        "List tasks (active ones; --all for every recent task), or show the given tasks."})
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    FlowCli cli;

    @Parameters(arity = "0..*", paramLabel = "TASK")
    List<String> taskIds = new ArrayList<>();

    @Option(names = {"-a", "--all"}, description = "include completed, failed and cancelled tasks")
    boolean all;

    @Option(names = "--limit", defaultValue = "50", description = "at most this many (default 50)")
    int limit;

    @Override
    public Integer call() {
        Output output = cli.output();
        if (taskIds.size() == 1) {
            printTask(output, cli.flow().getTask(taskIds.get(0)).view());
            return ExitCodes.OK;
        }
        List<TaskView> views = taskIds.isEmpty()
                ? cli.flow().listTasks(limit, all ? List.of() : List.of("pending", "running", "paused", "preempting"))
                        .stream().map(Task::view).toList()
                : taskIds.stream().map(id -> cli.flow().getTask(id).view()).toList();
        output.print(views, views, List.of(
                Output.Column.of("TASK", TaskView::taskId),
                Output.Column.of("NAME", TaskView::name),
                Output.Column.of("STATUS", v -> v.status() == null ? null : v.status().json()),
                Output.Column.of("REASON", TaskView::reason),
                Output.Column.of("TYPE", TaskView::instanceType),
                Output.Column.of("NODES", TaskView::numInstances),
                Output.Column.of("REGION", TaskView::region),
                Output.Column.of("$/H", TaskView::costPerHour),
                Output.Column.of("COST", TaskView::totalCost),
                Output.Column.of("AGE", v -> age(v.createdAt()))));
        return ExitCodes.OK;
    }

    static void printTask(Output output, TaskView v) {
        output.printObject(v, Output.fields(
                "task_id", v.taskId(), "name", v.name(), "project", v.project(),
                "status", output.status(v.status()), "reason", v.reason(), "message", v.message(),
                "created_at", v.createdAt(), "started_at", v.startedAt(), "completed_at", v.completedAt(),
                "instance_type", v.instanceType(), "num_instances", v.numInstances(), "region", v.region(),
                "instances", v.instances(), "cost_per_hour", v.costPerHour(), "limit_price", v.limitPrice(),
                "total_cost", v.totalCost(), "ssh_command", v.sshCommand()));
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
