package dev.flow.submitter.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flow.model.json.FlowJson;
import dev.flow.model.task.ShellQuoting;
import dev.flow.submitter.config.ExecConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The invocation runner through real {@code bash} and real {@code python3}, the way a node runs it: the startup
 * script exports each env value as a single-quoted word (shared-model's ShellQuoting), then runs the task's command
 * {@code python3 -c '<runner>'}. Hostile module sources and arguments must reach the function exactly, and the
 * output must hold exactly one marker line with the JSON outcome.
 */
class InvocationRunnerTest {

    private static final String HOSTILE = "it's \"quoted\" $(touch /tmp/pwned) `id` \\ back\\slash\nnew line\ttab "
            + "ünïcødé ✓ 日本語 🚀 $HOME ${PATH} ; rm -rf / && echo no | cat >&2 '\"'\"'";

    @Test
    void callsTheFunctionWithHostileArgumentsVerbatim() throws Exception {
        String source = """
                # a comment with 'quotes' and "double" ones, $(subshell) and `backticks`
                import json

                def echo(*args, **kwargs):
                    print("user output with the marker text inside: __FLOW_INVOCATION_RESULT__ not at the start")
                    print("a partial line", end="")
                    return {"args": list(args), "kwargs": kwargs, "note": "h\\u00e9 \\"x\\" \\n y"}
                """;
        ArrayNode args = FlowJson.mapper().createArrayNode().add(HOSTILE).add(42).add(1.5).addNull().add(true);
        args.addObject().put("nested", HOSTILE).putArray("list").add("a'b");
        ObjectNode kwargs = FlowJson.mapper().createObjectNode().put("text", HOSTILE).put("empty", "");
        Run run = run("mod_ule", "echo", source, args, kwargs);

        assertThat(run.exit()).isZero();
        JsonNode outcome = run.outcome();
        assertThat(outcome.path("ok").asBoolean()).isTrue();
        // as JSON text: the parsed number nodes may differ in class (decimal vs double) for the same value
        assertThat(outcome.path("result").path("args").toString()).isEqualTo(args.toString());
        assertThat(outcome.path("result").path("kwargs").toString()).isEqualTo(kwargs.toString());
        assertThat(outcome.path("result").path("note").asText()).isEqualTo("hé \"x\" \n y");
        assertThat(run.stdout()).contains("user output with the marker text inside")
                .contains("a partial line\n" + InvocationRunner.MARKER + " ");
        assertThat(new java.io.File("/tmp/pwned")).doesNotExist();
    }

    @Test
    void anExceptionIsReportedWithItsTypeMessageAndTraceback() throws Exception {
        Run run = run("train", "fit", """
                def fit(x):
                    return helper(x)

                def helper(x):
                    raise ValueError("bad value: " + repr(x))
                """, FlowJson.mapper().createArrayNode().add("it's\nüber"), null);
        assertThat(run.exit()).isEqualTo(1);
        JsonNode error = run.outcome().path("error");
        assertThat(run.outcome().path("ok").asBoolean()).isFalse();
        assertThat(error.path("type").asText()).isEqualTo("ValueError");
        assertThat(error.path("message").asText()).isEqualTo("bad value: \"it's\\nüber\"");
        assertThat(error.path("traceback").asText()).contains("Traceback (most recent call last)")
                .contains("train.py").contains("in helper").contains("ValueError: bad value");
    }

    @Test
    void methodsAreReachedByDotsAndBadModulesOrResultsAreErrors() throws Exception {
        Run method = run("m", "Model.predict", """
                class Model:
                    @staticmethod
                    def predict(a, b=0):
                        return [a, b, None]
                """, FlowJson.mapper().createArrayNode().add(1), FlowJson.mapper().createObjectNode().put("b", 2));
        assertThat(method.outcome().path("result").toString()).isEqualTo("[1,2,null]");

        Run syntax = run("m", "f", "def f(:\n  pass\n", null, null);
        assertThat(syntax.outcome().path("error").path("type").asText()).isEqualTo("SyntaxError");

        Run missing = run("m", "nope", "def f():\n  return 1\n", null, null);
        assertThat(missing.outcome().path("error").path("type").asText()).isEqualTo("AttributeError");

        Run notJson = run("m", "f", "def f():\n  return {1, 2}\n", null, null);
        assertThat(notJson.outcome().path("error").path("type").asText()).isEqualTo("ResultNotJSON");

        Run nan = run("m", "f", "def f():\n  return float('nan')\n", null, null);
        assertThat(nan.outcome().path("error").path("type").asText()).isEqualTo("ResultNotJSON");

        Run exits = run("m", "f", "import sys\ndef f():\n  sys.exit(3)\n", null, null);
        assertThat(exits.outcome().path("error").path("type").asText()).isEqualTo("SystemExit");
        assertThat(exits.exit()).isEqualTo(1);
    }

    @Test
    void theTaskConfigOfAnInvocationCarriesTheCallInEnvAndTheRunnerAsCommand() {
        InvocationService service = new InvocationService(null, null, new ExecConfig() {
            @Override
            public java.util.Optional<String> sshPrivateKeyPath() {
                return java.util.Optional.empty();
            }

            @Override
            public Exec exec() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Invocations invocations() {
                return new Invocations() {
                    @Override
                    public java.time.Duration resultGrace() {
                        return java.time.Duration.ofSeconds(30);
                    }

                    @Override
                    public int maxModuleSourceBytes() {
                        return 262_144;
                    }
                };
            }
        });
        ObjectNode config = service.taskConfig(new InvocationService.Call("def f(x):\n  return x\n", "train", "f",
                FlowJson.mapper().createArrayNode().add(HOSTILE), null, "a100", null, null, null, null, null, null,
                FlowJson.mapper().createObjectNode().put("MY_VAR", "v"), null, null, null));
        assertThat(config.path("command").asText()).isEqualTo(InvocationRunner.COMMAND);
        assertThat(config.path("instance_type").asText()).isEqualTo("a100");
        assertThat(config.path("image").asText()).isEqualTo(InvocationService.DEFAULT_IMAGE);
        assertThat(config.path("name").asText()).isEqualTo("invoke-f");
        JsonNode env = config.path("env");
        assertThat(env.path("MY_VAR").asText()).isEqualTo("v");
        assertThat(env.path(InvocationRunner.ENV_SOURCE).asText()).isEqualTo("def f(x):\n  return x\n");
        assertThat(env.path(InvocationRunner.ENV_MODULE).asText()).isEqualTo("train");
        assertThat(env.path(InvocationRunner.ENV_CALL).asText())
                .isEqualTo("{\"args\":[" + FlowJson.mapper().valueToTree(HOSTILE) + "],\"kwargs\":{}}");
    }

    record Run(int exit, String stdout, String stderr) {
        /** The one marker line's JSON (fails when there is not exactly one). */
        JsonNode outcome() throws IOException {
            List<String> markers = stdout.lines().filter(l -> l.startsWith(InvocationRunner.MARKER + " ")).toList();
            assertThat(markers).as("marker lines in %s / stderr %s", stdout, stderr).hasSize(1);
            assertThat(markers.getFirst()).matches("^\\p{ASCII}*$");
            return FlowJson.mapper().readTree(markers.getFirst().substring(InvocationRunner.MARKER.length() + 1));
        }
    }

    /** The env exports a startup script writes, then the task's command, through bash. */
    private static Run run(String module, String function, String source, JsonNode args, JsonNode kwargs)
            throws Exception {
        ObjectNode call = FlowJson.mapper().createObjectNode();
        call.set("args", args == null ? FlowJson.mapper().createArrayNode() : args);
        call.set("kwargs", kwargs == null ? FlowJson.mapper().createObjectNode() : kwargs);
        Map<String, String> env = new LinkedHashMap<>();
        env.put(InvocationRunner.ENV_MODULE, module);
        env.put(InvocationRunner.ENV_FUNCTION, function);
        env.put(InvocationRunner.ENV_SOURCE, source);
        env.put(InvocationRunner.ENV_CALL, call.toString());
        StringBuilder script = new StringBuilder("set -euo pipefail\n");
        env.forEach((k, v) -> script.append("export ").append(k).append('=').append(ShellQuoting.quote(v)).append('\n'));
        script.append(InvocationRunner.COMMAND).append('\n');
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("flow-invoke");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script.toString()).directory(dir.toFile());
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        p.getOutputStream().close();
        // both streams are small here; read them fully once the process ended
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the runner did not end");
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
