package dev.flow.cli;

import java.util.concurrent.Callable;
import java.util.stream.Stream;

import dev.flow.client.LogLine;
import dev.flow.client.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "logs", description = {
        "Print a task's logs; -f follows them until the task ends.",
        "A dropped connection (e.g. a log-streamer restart) is resumed after the last line, without gaps or repeats.",
        "-o json prints one JSON object per line (with node, seq, ts, stream, token)."})
final class LogsCommand implements Callable<Integer> {

    @ParentCommand
    FlowCli cli;

    @Parameters(index = "0", paramLabel = "TASK")
    String taskId;

    @Option(names = {"-f", "--follow"}, description = "keep printing new lines until the task ends")
    boolean follow;

    @Option(names = "--tail", defaultValue = "100", description = "the last N lines first (default 100)")
    int tail;

    @Option(names = "--node", description = "only this node's lines (0-based)")
    Integer node;

    @Override
    public Integer call() {
        Task task = cli.flow().getTask(taskId);
        boolean multiNode = task.numInstances() > 1 && node == null;
        Output output = cli.output();
        try (Stream<LogLine> lines = task.logLines(follow, tail, node)) {
            lines.forEach(line -> {
                switch (output.format()) {
                    case json -> cli.out().println(Output.json(line).replaceAll("\\s*\\n\\s*", " "));
                    case yaml -> cli.out().print("---\n" + Output.yaml(line));
                    case table, wide, name -> cli.out().println(multiNode
                            ? cli.ansi().string("@|faint [node " + line.node() + "]|@ ") + line.text() : line.text());
                }
                cli.out().flush();
            });
        }
        return ExitCodes.OK;
    }
}
