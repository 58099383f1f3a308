package dev.flow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.model.json.FlowJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Help.Ansi;

/**
 * The CLI's habits that need no platform: shell completion, named contexts and the --project precedence, cancel's
 * refusal without a terminal. (What needs the services is in {@link CliHabitsIT}.)
 */
class CliHabitsTest {

    @TempDir
    Path dir;

    @Test
    void theBashCompletionScriptLoadsInBashAndKnowsTheCommands() throws Exception {
        CliRun bash = run(Map.of(), dir.resolve("none.yaml"), Console.NONE, "completion", "bash");
        assertThat(bash.exitCode()).as(bash.err()).isZero();
        assertThat(bash.out()).contains("ls").contains("cancel").contains("--watch").contains("use-context");
        Path script = Files.writeString(dir.resolve("flow.bash"), bash.out());
        // loaded by a real bash: `complete -p flow` names the completion function the script registered
        Process p = new ProcessBuilder("bash", "-c", "source '" + script + "' && complete -p flow")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("-F _complete_flow flow");

        CliRun zsh = run(Map.of(), dir.resolve("none.yaml"), Console.NONE, "completion", "zsh");
        assertThat(zsh.exitCode()).isZero();
        assertThat(zsh.out()).contains("bashcompinit").contains("_complete_flow");
        assertThat(run(Map.of(), dir.resolve("none.yaml"), Console.NONE, "completion", "fish").exitCode())
                .isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void contextsAreListedSwitchedAndTheProjectFollowsItsPrecedence() throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                project: file-project
                contexts:
                  prod: {api_url: https://prod.example.com, token: prod-secret-token, project: prod-project}
                  lab: {api_url: http://lab.example.com:8081}
                current_context: prod
                """);
        CliRun contexts = run(Map.of(), file, Console.NONE, "config", "get-contexts");
        assertThat(contexts.exitCode()).as(contexts.err()).isZero();
        assertThat(contexts.out().lines().toList()).anySatisfy(l -> assertThat(l).matches("prod\\s+\\*\\s+https://prod.example.com\\s+prod-project"))
                .anySatisfy(l -> assertThat(l).startsWith("lab ").doesNotContain("*"));
        assertThat(contexts.out()).as("never a token").doesNotContain("prod-secret-token");
        assertThat(run(Map.of(), file, Console.NONE, "config", "current-context").out().strip()).isEqualTo("prod");

        // --project > MITHRIL_DEFAULT_PROJECT > the context's project > the file's project
        assertThat(view(Map.of(), file).path("project").asText()).isEqualTo("prod-project");
        assertThat(view(Map.of(), file).path("api_url").asText()).isEqualTo("https://prod.example.com");
        assertThat(view(Map.of(), file).path("token").asText()).isEqualTo("***");
        assertThat(view(Map.of("MITHRIL_DEFAULT_PROJECT", "env-project"), file).path("project").asText())
                .isEqualTo("env-project");
        assertThat(view(Map.of("MITHRIL_DEFAULT_PROJECT", "env-project"), file, "--project", "flag-project")
                .path("project").asText()).isEqualTo("flag-project");
        assertThat(view(Map.of(), file, "--context", "lab").path("project").asText()).isEqualTo("file-project");
        assertThat(view(Map.of("FLOW_CONTEXT", "lab"), file).path("api_url").asText())
                .isEqualTo("http://lab.example.com:8081");

        CliRun use = run(Map.of(), file, Console.NONE, "config", "use-context", "lab");
        assertThat(use.exitCode()).as(use.err()).isZero();
        assertThat(view(Map.of(), file).path("api_url").asText()).isEqualTo("http://lab.example.com:8081");
        assertThat(view(Map.of(), file).path("context").asText()).isEqualTo("lab");

        CliRun unknown = run(Map.of(), file, Console.NONE, "config", "use-context", "staging");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("staging").contains("prod, lab");
        assertThat(run(Map.of(), file, Console.NONE, "--context", "staging", "ls").err())
                .contains("no context \"staging\"");
    }

    @Test
    void cancelWithoutATerminalAndWithoutYesRefusesWithExitCode2() {
        // refused before any call: the platform address is unreachable on purpose
        Map<String, String> env = Map.of("FLOW_API_URL", "http://127.0.0.1:1", "FLOW_TOKEN", "t");
        CliRun refused = run(env, dir.resolve("none.yaml"), Console.NONE, "cancel", "task-0000000000000000");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(refused.err()).contains("--yes").contains("task-0000000000000000");

        // a terminal where the person answers no: nothing is called, nothing cancelled
        CliRun declined = run(env, dir.resolve("none.yaml"),
                Console.reading(new BufferedReader(new StringReader("n\n"))), "cancel", "task-0000000000000000");
        assertThat(declined.exitCode()).isZero();
        assertThat(declined.err()).contains("Cancel task-0000000000000000? [y/N]").contains("Not cancelled.");
    }

    private JsonNode view(Map<String, String> env, Path file, String... flags) throws IOException {
        String[] args = new String[flags.length + 4];
        System.arraycopy(flags, 0, args, 0, flags.length);
        System.arraycopy(new String[]{"config", "view", "-o", "json"}, 0, args, flags.length, 4);
        CliRun view = run(env, file, Console.NONE, args);
        assertThat(view.exitCode()).as(view.err()).isZero();
        return FlowJson.mapper().readTree(view.out());
    }

    static CliRun run(Map<String, String> env, Path configFile, Console console, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FlowCli.run(args, new HashMap<>(env), configFile, new PrintWriter(out, true),
                new PrintWriter(err, true), Ansi.OFF, console);
        return new CliRun(code, out.toString(), err.toString());
    }
}
