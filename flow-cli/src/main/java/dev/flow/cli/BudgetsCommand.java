package dev.flow.cli;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "budgets", description = "Project budgets and their alerts.",
        subcommands = {BudgetsCommand.Set.class, BudgetsCommand.Ls.class})
final class BudgetsCommand {

    @ParentCommand
    FlowCli cli;

    static final List<Output.Column<JsonNode>> COLUMNS = List.of(
            Output.Column.of("ID", b -> b.path("id").asText()),
            Output.Column.of("PROJECT", b -> b.path("project").asText()),
            Output.Column.of("PERIOD", b -> b.path("period").asText()),
            Output.Column.of("LIMIT", b -> b.path("limit").asText()),
            Output.Column.of("SPENT", b -> b.path("spent").asText()),
            Output.Column.of("FORECAST", b -> b.path("forecast").isNull() ? null : b.path("forecast").asText(null)),
            Output.Column.of("THRESHOLDS", b -> b.path("thresholds").toString()),
            Output.Column.of("ACTION", b -> b.path("action").isNull() ? null : b.path("action").asText(null)));

    @Command(name = "set", description = "Create or replace the project's budget for a period (admin).")
    static final class Set implements Callable<Integer> {
        @ParentCommand
        BudgetsCommand parent;

        @Option(names = "--period", defaultValue = "monthly", description = "daily, weekly, monthly (default), total")
        String period;

        @Option(names = "--limit", required = true, paramLabel = "USD")
        BigDecimal limit;

        @Option(names = "--thresholds", split = ",", paramLabel = "PERCENT", description = "alert at these percents (default 50,80)")
        List<Integer> thresholds = new ArrayList<>();

        @Option(names = "--action", description = "stop_tasks: stop the project's tasks when the budget is spent")
        String action;

        @Override
        public Integer call() {
            // the global --project (none: the service's default for the token)
            JsonNode budget = parent.cli.flow().setBudget(parent.cli.projectOption(), period, limit, thresholds,
                    action);
            parent.cli.output().print(budget, List.of(budget), COLUMNS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "ls", aliases = "list", description = "The budgets of your projects.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        BudgetsCommand parent;

        @Override
        public Integer call() {
            List<JsonNode> budgets = parent.cli.flow().budgets(parent.cli.projectOption());
            parent.cli.output().print(budgets, budgets, COLUMNS);
            return ExitCodes.OK;
        }
    }
}
