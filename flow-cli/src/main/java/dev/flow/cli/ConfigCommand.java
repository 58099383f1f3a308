package dev.flow.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.flow.client.ConfigFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "config", description = {
        "Named contexts of ~/.flow/config.yaml: `contexts: {NAME: {api_url, token | token_file, project, ...}}`,",
        "the current one in `current_context` (FLOW_CONTEXT or --context override it)."},
        subcommands = {ConfigCommand.UseContext.class, ConfigCommand.GetContexts.class,
                ConfigCommand.CurrentContext.class, ConfigCommand.View.class})
final class ConfigCommand {

    @ParentCommand
    FlowCli cli;

    @Command(name = "use-context", description = "Make NAME the current context (rewrites the file's current_context).")
    static final class UseContext implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            ConfigFile.read(parent.cli.configFile()).useContext(name);
            parent.cli.err().println("Switched to context \"" + name + "\".");
            return ExitCodes.OK;
        }
    }

    @Command(name = "get-contexts", description = "The contexts; * marks the one in use.")
    static final class GetContexts implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;

        @Override
        public Integer call() {
            FlowCli cli = parent.cli;
            ConfigFile file = ConfigFile.read(cli.configFile());
            String current = inUse(cli, file);
            List<Map<String, Object>> rows = new ArrayList<>();
            file.contexts().forEach((name, settings) -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", name);
                row.put("current", name.equals(current));
                row.put("api_url", settings.get("api_url"));
                row.put("project", settings.get("project"));
                // where the token comes from, never the token
                row.put("token", settings.containsKey("token") ? "(inline)" : settings.get("token_file"));
                rows.add(row);
            });
            cli.output().print(rows, rows, List.of(
                    Output.Column.of("NAME", r -> r.get("name")),
                    Output.Column.of("CURRENT", r -> Boolean.TRUE.equals(r.get("current")) ? "*" : ""),
                    Output.Column.of("API URL", r -> r.get("api_url")),
                    Output.Column.of("PROJECT", r -> r.get("project")),
                    Output.Column.wide("TOKEN", r -> r.get("token"))));
            return ExitCodes.OK;
        }
    }

    @Command(name = "current-context", description = "The context in use (none: exit 1).")
    static final class CurrentContext implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;

        @Override
        public Integer call() {
            String current = inUse(parent.cli, ConfigFile.read(parent.cli.configFile()));
            if (current == null) {
                parent.cli.err().println("No current context.");
                return 1;
            }
            parent.cli.out().println(current);
            return ExitCodes.OK;
        }
    }

    @Command(name = "view", description = "The settings in effect (flags, environment, context, file, defaults).")
    static final class View implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;

        @Override
        public Integer call() {
            FlowCli cli = parent.cli;
            var config = cli.flow().config();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("context", inUse(cli, ConfigFile.read(cli.configFile())));
            fields.put("api_url", config.apiUrl().toString());
            fields.put("logs_url", config.logsUrl().toString());
            fields.put("cost_url", config.costUrl().toString());
            fields.put("project", config.project().orElse(null));
            fields.put("region", config.region().orElse(null));
            fields.put("token", config.token().isPresent() ? "***" : null); // a credential: never printed
            cli.output().printObject(fields, fields);
            return ExitCodes.OK;
        }
    }

    /** --context, else FLOW_CONTEXT, else the file's current_context. */
    private static String inUse(FlowCli cli, ConfigFile file) {
        if (cli.context() != null) {
            return cli.context();
        }
        String env = cli.env().get("FLOW_CONTEXT");
        return env != null && !env.isBlank() ? env.strip() : file.currentContext().orElse(null);
    }
}
