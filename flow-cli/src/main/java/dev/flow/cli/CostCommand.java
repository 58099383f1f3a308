package dev.flow.cli;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flow.model.json.FlowJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "cost", description = {
        "What a task or the project cost (the cost-accountant's exact ledger).",
        "--by day: one row per UTC day of the last --days days."})
final class CostCommand implements Callable<Integer> {

    enum By { task, day }

    @ParentCommand
    FlowCli cli;

    @Parameters(arity = "0..1", paramLabel = "TASK")
    String taskId;


    @Option(names = "--by", defaultValue = "task", description = "task (default) or day")
    By by;

    @Option(names = "--days", defaultValue = "7", description = "with --by day: how many days back (default 7)")
    int days;

    @Override
    public Integer call() {
        Output output = cli.output();
        if (taskId != null) {
            JsonNode cost = cli.flow().taskCost(taskId);
            output.printObject(cost, Output.fields("task_id", cost.path("task_id").asText(),
                    "project", cost.path("project").asText(), "running", cost.path("running").asBoolean(),
                    "cost_per_hour", cost.path("cost_per_hour").asText(), "total_cost", cost.path("total_cost").asText(),
                    "total_cost_exact", cost.path("total_cost_exact").asText(), "intervals", cost.path("intervals").size(),
                    "as_of", cost.path("as_of").asText()));
            return ExitCodes.OK;
        }
        // the global --project, else MITHRIL_DEFAULT_PROJECT, the context's project, the token's first project
        String p = cli.defaultProject();
        if (by == By.day) {
            ArrayNode rows = FlowJson.mapper().createArrayNode();
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            for (int i = days - 1; i >= 0; i--) {
                LocalDate day = today.minusDays(i);
                JsonNode cost = cli.flow().projectCost(p, day.atStartOfDay().toInstant(ZoneOffset.UTC),
                        i == 0 ? null : day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC));
                ObjectNode row = rows.addObject();
                row.put("day", day.toString());
                row.put("project", p);
                row.put("tasks", cost.path("tasks").size());
                row.put("total_cost", cost.path("total_cost").asText());
                row.put("total_cost_exact", cost.path("total_cost_exact").asText());
            }
            List<JsonNode> list = new ArrayList<>();
            rows.forEach(list::add);
            output.print(rows, list, List.of(
                    Output.Column.of("DAY", r -> r.path("day").asText()),
                    Output.Column.of("TASKS", r -> r.path("tasks").asInt()),
                    Output.Column.of("COST", r -> r.path("total_cost").asText()),
                    Output.Column.of("EXACT", r -> r.path("total_cost_exact").asText())));
            return ExitCodes.OK;
        }
        JsonNode cost = cli.flow().projectCost(p, null, null);
        List<JsonNode> tasks = new ArrayList<>();
        cost.path("tasks").forEach(tasks::add);
        if (output.isTable()) {
            cli.out().println(cli.ansi().string("@|bold " + p + "|@") + "  total " + cost.path("total_cost").asText()
                    + "  now " + cost.path("cost_per_hour").asText() + "/h");
        }
        output.print(cost, tasks, List.of(
                Output.Column.of("TASK", t -> t.path("task_id").asText()),
                Output.Column.of("RUNNING", t -> t.path("running").asBoolean()),
                Output.Column.of("$/H", t -> t.path("cost_per_hour").asText()),
                Output.Column.of("COST", t -> t.path("total_cost").asText())));
        return ExitCodes.OK;
    }

}
