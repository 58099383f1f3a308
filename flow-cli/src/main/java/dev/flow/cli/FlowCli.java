package dev.flow.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.client.Flow;
import dev.flow.client.FlowConfig;
import dev.flow.model.error.FlowError;
import dev.flow.model.json.FlowJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code flow}: the platform from a terminal, with the habits of kubectl and sky. Configuration as the client's
 * ({@link FlowConfig#discover()}: FLOW_API_URL, FLOW_LOGS_URL, FLOW_COST_URL, FLOW_TOKEN / FLOW_TOKEN_FILE,
 * MITHRIL_DEFAULT_PROJECT, ~/.flow/config.yaml).
 */
@Command(name = "flow", mixinStandardHelpOptions = true, versionProvider = FlowCli.Version.class,
        description = "Run and watch GPU tasks on the Flow Platform (Mithril).",
        footer = {"", ExitCodes.HELP},
        subcommands = {RunCommand.class, StatusCommand.class, LogsCommand.class,
                CancelCommand.class, SshCommand.class, InstancesCommand.class, VolumesCommand.class, CostCommand.class,
                BudgetsCommand.class, ConfigCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class})
public final class FlowCli {

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, defaultValue = "table",
            description = "table (default), wide (more columns), name (one id per line), json or yaml")
    Output.Format format;

    @Option(names = "--no-headers", scope = ScopeType.INHERIT, description = "tables without their header line")
    boolean noHeaders;

    @Option(names = "--project", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "the project (over MITHRIL_DEFAULT_PROJECT, the context's and the file's project, the token's)")
    String project;

    @Option(names = "--context", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "a context of ~/.flow/config.yaml (over FLOW_CONTEXT and current_context)")
    String context;

    private final Map<String, String> env;
    private final Path configFile;
    private Flow flow;
    private PrintWriter out;
    private PrintWriter err;
    private Ansi ansi;
    private Console console;

    FlowCli(Map<String, String> env, Path configFile) {
        this.env = env;
        this.configFile = configFile;
    }

    public static void main(String[] args) {
        int code = run(args, System.getenv(), Path.of(System.getProperty("user.home"), ".flow", "config.yaml"),
                new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8), Ansi.AUTO, Console.system());
        System.exit(code);
    }

    /** One invocation of {@code flow}: the exit code; output to {@code out}, messages and errors to {@code err}. */
    public static int run(String[] args, Map<String, String> env, Path configFile, PrintWriter out, PrintWriter err,
                          Ansi ansi) {
        return run(args, env, configFile, out, err, ansi, Console.NONE);
    }

    /** As above, with the terminal a person answers questions on ({@link Console#NONE}: not a terminal). */
    public static int run(String[] args, Map<String, String> env, Path configFile, PrintWriter out, PrintWriter err,
                          Ansi ansi, Console console) {
        FlowCli cli = new FlowCli(env, configFile);
        cli.out = out;
        cli.err = err;
        cli.ansi = ansi;
        cli.console = console;
        CommandLine line = new CommandLine(cli);
        line.setOut(out).setErr(err).setColorScheme(CommandLine.Help.defaultColorScheme(ansi))
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> cli.failure(e))
                .setExitCodeExceptionMapper(e -> ExitCodes.USAGE);
        try {
            return line.execute(args);
        } finally {
            if (cli.flow != null) {
                cli.flow.close();
            }
            out.flush();
            err.flush();
        }
    }

    Flow flow() {
        if (flow == null) {
            FlowConfig config = FlowConfig.discover(env, configFile, context);
            flow = new Flow(project == null || project.isBlank() ? config : config.withProject(project.strip()));
        }
        return flow;
    }

    Path configFile() {
        return configFile;
    }

    String context() {
        return context;
    }

    Map<String, String> env() {
        return env;
    }

    /** The terminal of the person running {@code flow}, or {@link Console#NONE}. */
    Console console() {
        return console;
    }

    /** The --project option, when given (commands whose default is "all projects" use this, not the defaults). */
    String projectOption() {
        return project == null || project.isBlank() ? null : project.strip();
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    Ansi ansi() {
        return ansi;
    }

    Output output() {
        return new Output(out, format, ansi, !noHeaders);
    }

    /** The project: configured, else the first of the token's {@code projects} claim (read, not verified). */
    String defaultProject() {
        return flow().config().project().orElseGet(() -> {
            String token = flow().config().token().orElse("");
            String[] parts = token.split("\\.");
            if (parts.length >= 2) {
                try {
                    JsonNode claims = FlowJson.mapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
                    if (claims.path("projects").isArray() && !claims.path("projects").isEmpty()) {
                        return claims.path("projects").get(0).asText();
                    }
                } catch (Exception ignored) {
                    // not a JWT we can read: the caller says what is missing
                }
            }
            throw new dev.flow.model.error.ValidationError("no project given", List.of(
                    dev.flow.model.error.FieldError.of("project", "is required")),
                    List.of("--project NAME", "export MITHRIL_DEFAULT_PROJECT=NAME"));
        });
    }

    /** An error for a person: what went wrong in red, then what to do; the exit code says which class it was. */
    int failure(Exception e) {
        if (e instanceof FlowError error) {
            err.println(ansi.string("@|bold,red Error|@ (" + error.errorName() + "): ") + error.getMessage());
            if (error instanceof dev.flow.model.error.ValidationError v) {
                v.errors().forEach(f -> err.println("  - " + f));
            }
            if (!error.suggestions().isEmpty()) {
                err.println(ansi.string("@|yellow Suggestions:|@"));
                error.suggestions().forEach(s -> err.println("  • " + s));
            }
            err.flush();
            return ExitCodes.of(error);
        }
        if (e instanceof java.io.UncheckedIOException || e instanceof IllegalArgumentException) {
            err.println(ansi.string("@|bold,red Error:|@ ") + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        err.println(ansi.string("@|bold,red Unexpected error:|@ ") + e);
        err.flush();
        return ExitCodes.SERVICE;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = FlowCli.class.getPackage().getImplementationVersion();
            return new String[]{"flow " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
