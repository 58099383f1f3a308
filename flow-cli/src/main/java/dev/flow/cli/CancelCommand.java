package dev.flow.cli;

import java.util.List;
import java.util.concurrent.Callable;

import dev.flow.client.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "cancel", aliases = "stop", description = "Cancel tasks (their spot bids); they end `cancelled`.")
final class CancelCommand implements Callable<Integer> {

    @ParentCommand
    FlowCli cli;

    @Parameters(arity = "1..*", paramLabel = "TASK")
    List<String> taskIds;

    @Override
    public Integer call() {
        for (String id : taskIds) {
            Task task = cli.flow().getTask(id).cancel();
            cli.err().println((task.isTerminal() ? "Already ended: " : "Cancelling: ") + id + " ("
                    + task.status() + ")");
        }
        return ExitCodes.OK;
    }
}
