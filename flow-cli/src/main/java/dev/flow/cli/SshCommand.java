package dev.flow.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.flow.client.ExecResult;
import dev.flow.client.Task;
import dev.flow.model.error.TaskExecutionError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "ssh", description = {
        "Run a command on a task's node, or open an ssh session to it.",
        "`flow ssh TASK -- nvidia-smi` goes through the platform's exec API and exits with the command's exit code;",
        "`flow ssh TASK` opens an interactive session with the system ssh client."})
final class SshCommand implements Callable<Integer> {

    @ParentCommand
    FlowCli cli;

    @Parameters(index = "0", paramLabel = "TASK")
    String taskId;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "after --: the command to run")
    List<String> command = new ArrayList<>();

    @Option(names = "--node", description = "node (0-based; default 0)")
    Integer node;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Task task = cli.flow().getTask(taskId);
        if (!command.isEmpty()) {
            ExecResult result = task.shell(String.join(" ", command), node);
            cli.out().print(result.stdout() == null ? "" : result.stdout());
            cli.out().flush();
            cli.err().print(result.stderr() == null ? "" : result.stderr());
            cli.err().flush();
            return result.exitCode();
        }
        if (task.sshHost() == null) {
            throw new TaskExecutionError("task " + taskId + " has no SSH address yet (" + task.status() + ")",
                    List.of("wait until it runs: `flow status " + taskId + "`"));
        }
        // an interactive session needs the user's terminal and keys: the system ssh client does that best
        Process ssh = new ProcessBuilder("ssh", "-p", String.valueOf(task.sshPort()),
                "-o", "StrictHostKeyChecking=accept-new", task.sshUser() + "@" + task.sshHost()).inheritIO().start();
        return ssh.waitFor();
    }
}
