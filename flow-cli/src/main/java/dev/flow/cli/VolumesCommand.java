package dev.flow.cli;

import java.util.List;
import java.util.concurrent.Callable;

import dev.flow.client.Volume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "volumes", description = "Persistent volumes of the project.",
        subcommands = {VolumesCommand.Create.class, VolumesCommand.Ls.class, VolumesCommand.Rm.class,
                VolumesCommand.Mount.class})
final class VolumesCommand {

    @ParentCommand
    FlowCli cli;

    static final List<Output.Column<Volume>> COLUMNS = List.of(
            Output.Column.of("VOLUME", Volume::volumeId),
            Output.Column.of("NAME", Volume::name),
            Output.Column.of("SIZE", v -> v.sizeGb() + " GB"),
            Output.Column.of("INTERFACE", Volume::interfaceType),
            Output.Column.of("REGION", Volume::region),
            Output.Column.of("TASKS", Volume::attachedTasks));

    @Command(name = "create", description = "Create a volume (a retry with the same name and size is harmless).")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        VolumesCommand parent;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = {"-s", "--size"}, paramLabel = "GB", defaultValue = "100", description = "size in GB (default 100)")
        int sizeGb;

        @Option(names = "--interface", defaultValue = "block", description = "block (default) or file")
        String volumeInterface;

        @Override
        public Integer call() {
            Volume v = parent.cli.flow().createVolume(sizeGb, name, volumeInterface);
            parent.cli.output().print(v, List.of(v), COLUMNS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List the project's volumes.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        VolumesCommand parent;

        @Option(names = "--limit", defaultValue = "100")
        int limit;

        @Override
        public Integer call() {
            List<Volume> volumes = parent.cli.flow().listVolumes(limit);
            parent.cli.output().print(volumes, volumes, COLUMNS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "rm", aliases = "delete", description = "Delete volumes by id or name.")
    static final class Rm implements Callable<Integer> {
        @ParentCommand
        VolumesCommand parent;

        @Parameters(arity = "1..*", paramLabel = "VOLUME")
        List<String> volumes;

        @Override
        public Integer call() {
            for (String v : volumes) {
                parent.cli.flow().deleteVolume(v);
                parent.cli.err().println("Deleted " + v);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "mount", description = "Mount a volume into a running task (needs the platform's mount API).")
    static final class Mount implements Callable<Integer> {
        @ParentCommand
        VolumesCommand parent;

        @Parameters(index = "0", paramLabel = "VOLUME")
        String volume;

        @Parameters(index = "1", paramLabel = "TASK")
        String taskId;

        @Override
        public Integer call() {
            parent.cli.flow().mountVolume(volume, taskId);
            parent.cli.err().println("Mounted " + volume + " into " + taskId + " at /volumes/" + volume);
            return ExitCodes.OK;
        }
    }
}
