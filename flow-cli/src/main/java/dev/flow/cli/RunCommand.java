package dev.flow.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import dev.flow.client.LogLine;
import dev.flow.client.RunOptions;
import dev.flow.client.Task;
import dev.flow.client.TaskView;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.task.VolumeSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "run", description = {
        "Submit a task; a live status line while it is pending, --follow streams its logs.",
        "With --follow the exit code is the task's outcome (0 completed, 1 failed, 10 cancelled)."},
        footer = {"", "Example: flow run \"python train.py\" -i a100 --max-price 10 --env K=V --volume data:100 --follow"})
final class RunCommand implements Callable<Integer> {

    @ParentCommand
    FlowCli cli;

    @Parameters(index = "0", paramLabel = "COMMAND", description = "the command, run by bash on every node")
    String command;

    @Option(names = {"-i", "--instance-type"}, description = "a100, 4xa100, 8xh100, a100-80gb.sxm.1x, it_...")
    String instanceType;

    @Option(names = "--gpu-memory", paramLabel = "GB", description = "instead of -i: the cheapest type with this much GPU memory")
    Integer gpuMemory;

    @Option(names = {"-n", "--name"}, description = "task name (letters, digits, - and _)")
    String name;

    @Option(names = "--max-price", paramLabel = "USD", description = "limit price per instance-hour")
    BigDecimal maxPrice;

    @Option(names = "--max-run-time", paramLabel = "HOURS", description = "stop the task after this many hours")
    BigDecimal maxRunTime;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "environment variable (repeatable)")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = {"-v", "--volume"}, paramLabel = "NAME[:SIZE_GB[:MOUNT]]",
            description = "persistent volume, created on first use (repeatable); default 100 GB at /data")
    List<String> volumes = new ArrayList<>();

    @Option(names = {"-N", "--num-instances"}, description = "nodes")
    Integer numInstances;

    @Option(names = "--image", description = "container image (default ubuntu:24.04)")
    String image;

    @Option(names = "--workdir", description = "working directory (default /workspace)")
    String workingDir;

    @Option(names = "--region", description = "Mithril region")
    String region;

    @Option(names = {"-p", "--port"}, description = "port to expose (repeatable)")
    List<Integer> ports = new ArrayList<>();

    @Option(names = "--ssh-key", description = "SSH key id or name (repeatable)")
    List<String> sshKeys = new ArrayList<>();

    @Option(names = {"-f", "--follow"}, description = "stream the logs until the task ends; exit with its outcome")
    boolean follow;

    @Option(names = {"-d", "--detach"}, description = "return as soon as the task is submitted")
    boolean detach;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "give up waiting after this long (e.g. PT30M, 90s)",
            converter = DurationConverter.class)
    Duration timeout;

    @Override
    public Integer call() {
        RunOptions options = new RunOptions().withName(name).withInstanceType(instanceType).withEnv(env)
                .withMaxPricePerHour(maxPrice).withMaxRunTimeHours(maxRunTime).withImage(image)
                .withWorkingDir(workingDir).withRegion(region);
        if (gpuMemory != null) {
            options.withMinGpuMemoryGb(gpuMemory);
        }
        if (numInstances != null) {
            options.withNumInstances(numInstances);
        }
        volumes.forEach(v -> options.withVolume(volume(v)));
        ports.forEach(options::withPort);
        sshKeys.forEach(options::withSshKey);

        Task task = cli.flow().run(command, options);
        Output output = cli.output();
        cli.err().println("Submitted " + cli.ansi().string("@|bold " + task.taskId() + "|@") + " (" + task.name()
                + ", " + task.instanceType() + (task.region() == null ? "" : " in " + task.region())
                + (task.view().limitPrice() == null ? "" : ", limit " + task.view().limitPrice() + "/h") + ")");
        cli.err().flush();
        if (detach) {
            StatusCommand.printTask(output, task.view());
            return ExitCodes.OK;
        }
        try (LiveStatus live = new LiveStatus(cli.err(), cli.ansi(), task.view())) {
            task.waitUntilStarted(timeout, live::update);
        }
        if (follow) {
            // everything the task printed since it started (the viewer's maximum tail); a task that already ended
            // while we watched its pending status (a short one) is read once instead of followed
            try (Stream<LogLine> lines = task.logLines(!task.isTerminal(), 10_000, null)) {
                lines.forEach(line -> {
                    if (output.isTable()) {
                        cli.out().println(line.text());
                        cli.out().flush();
                    } else {
                        cli.err().println(line.text());
                    }
                });
            }
            if (!task.isTerminal()) {
                task.waitFor(timeout);
            }
        }
        TaskView view = task.view();
        cli.err().println(task.taskId() + " " + output.status(view.status()) + " (" + view.reason() + ")"
                + (view.totalCost() == null ? "" : ", cost " + view.totalCost()));
        cli.err().flush();
        if (!output.isTable() || !follow) {
            StatusCommand.printTask(output, view);
        }
        return view.status() == TaskStatus.RUNNING ? ExitCodes.OK : ExitCodes.of(view.status());
    }

    static VolumeSpec volume(String text) {
        String[] parts = text.split(":", 3);
        try {
            return new VolumeSpec(parts[0], parts.length > 1 && !parts[1].isEmpty() ? Integer.valueOf(parts[1]) : null,
                    parts.length > 2 ? parts[2] : null, null);
        } catch (NumberFormatException e) {
            throw ValidationError.of(new FieldError("volume", "size must be a number of GB: " + text,
                    "--volume data:100 or --volume data:100:/data"));
        }
    }

    /** {@code 90s}, {@code 30m}, {@code 2h} or ISO-8601 ({@code PT30M}). */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.strip().toLowerCase(java.util.Locale.ROOT);
            if (v.startsWith("pt") || v.startsWith("p")) {
                return Duration.parse(value.toUpperCase(java.util.Locale.ROOT));
            }
            long n = Long.parseLong(v.replaceAll("[a-z]+$", ""));
            return switch (v.replaceAll("^[0-9]+", "")) {
                case "", "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "ms" -> Duration.ofMillis(n);
                default -> throw new IllegalArgumentException("not a duration: " + value + " (90s, 30m, 2h, PT30M)");
            };
        }
    }
}
