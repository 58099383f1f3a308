package dev.flow.cli;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.flow.client.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "cancel", aliases = "stop", description = {
        "Cancel tasks (their spot bids); they end `cancelled`.",
        "Asks first on a terminal; elsewhere (scripts, CI) it needs --yes."})
final class CancelCommand implements Callable<Integer> {

    @ParentCommand
    FlowCli cli;

    @Parameters(arity = "1..*", paramLabel = "TASK")
    List<String> taskIds;

    @Option(names = {"-y", "--yes"}, description = "do not ask for confirmation")
    boolean yes;

    @Override
    public Integer call() {
        if (!yes) {
            String what = taskIds.size() == 1 ? taskIds.getFirst() : taskIds.size() + " tasks (" + String.join(", ",
                    taskIds) + ")";
            if (!cli.console().isTerminal()) {
                // no one to ask: a script must say so explicitly rather than cancel paid work by accident
                cli.err().println(cli.ansi().string("@|bold,red Error:|@ ") + "not cancelling " + what
                        + " without confirmation and no terminal to ask on: pass --yes (-y) to cancel.");
                return ExitCodes.USAGE;
            }
            cli.err().print("Cancel " + what + "? [y/N] ");
            cli.err().flush();
            String answer = cli.console().readLine();
            if (answer == null || !List.of("y", "yes").contains(answer.strip().toLowerCase(Locale.ROOT))) {
                cli.err().println("Not cancelled.");
                return ExitCodes.OK;
            }
        }
        for (String id : taskIds) {
            Task task = cli.flow().getTask(id).cancel();
            cli.err().println((task.isTerminal() ? "Already ended: " : "Cancelling: ") + id + " ("
                    + task.status() + ")");
        }
        return ExitCodes.OK;
    }
}
