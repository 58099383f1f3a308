package dev.flow.submitter.service;

import dev.flow.model.error.ValidationError;
import dev.flow.model.startup.WorkloadBlock;
import dev.flow.model.startup.WorkloadSpec;
import dev.flow.model.task.TaskConfig;
import dev.flow.model.task.VolumeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StartupScriptBuilderTest {

    static final String TASK = "task-0123456789abcdef";

    @Test
    void scriptHasHeaderStrictModeContainerAndWorkloadBlock() {
        TaskConfig config = TaskConfig.builder().name("train").instanceType("a100").command("python train.py --lr 0.1")
                .env(Map.of("EPOCHS", "3")).ports(List.of(8888)).image("pytorch/pytorch:2.4")
                .volumes(List.of(VolumeSpec.of("data", 50, "/data"))).numInstances(2).build();

        String script = StartupScriptBuilder.forTask(TASK, config).build();

        assertThat(script).startsWith("#!/bin/bash\n").contains("\nset -euo pipefail\n")
                .contains("docker run -d --name=main ").contains(" -e EPOCHS").contains(" -p 8888:8888")
                .contains(" -v '/data':'/data'").contains("FLOW_COMMAND='python train.py --lr 0.1'\n")
                .contains("'pytorch/pytorch:2.4' bash -lc \"$FLOW_COMMAND\"")
                .contains("export FLOW_NUM_NODES=2").contains("flow_mount_block 0 '/data'")
                .contains(WorkloadBlock.BEGIN_MARKER);
        WorkloadSpec spec = WorkloadBlock.find(script).orElseThrow();
        assertThat(spec.taskId()).isEqualTo(TASK);
        assertThat(spec.command()).isEqualTo("python train.py --lr 0.1");
        assertThat(spec.env()).containsExactlyEntriesOf(Map.of("EPOCHS", "3"));
        assertThat(spec.numInstances()).isEqualTo(2);
        assertThat(spec.ports()).containsExactly(8888);
        assertThat(spec.volumes()).containsExactly(new WorkloadSpec.Mount("data", "/data"));
        assertThat(spec.image()).isEqualTo("pytorch/pytorch:2.4");
    }

    @Test
    void argvCommandIsQuotedWordByWord() {
        TaskConfig config = TaskConfig.builder().instanceType("a100")
                .command(List.of("python", "-c", "print('hi there')")).build();
        WorkloadSpec spec = WorkloadBlock.find(StartupScriptBuilder.forTask(TASK, config).build()).orElseThrow();
        assertThat(spec.command()).isEqualTo("python -c 'print('\"'\"'hi there'\"'\"')'");
    }

    /**
     * The real script, run by a real bash with a fake {@code docker} that records what it was given: the hostile
     * command reaches {@code bash -lc} verbatim and every env value reaches the container verbatim.
     */
    @Test
    void hostileValuesReachTheContainerVerbatimThroughRealBash(@TempDir Path dir) throws Exception {
        String command = "echo \"it's $(whoami)\" `date` && printf '%s\\n' $HOME; echo 'ünïcødé 🚀'\necho line2";
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SECRET", "p@ss'w\"o$rd`x`$(rm -rf /)\\");
        env.put("MULTI", "line1\nline2\n");
        env.put("EMPTY", "");
        env.put("UNI", "日本語 ✓");
        Random random = new Random(7);
        StringBuilder noise = new StringBuilder();
        String alphabet = "'\"$`\\\n;&|()<>*? é";
        for (int i = 0; i < 64; i++) {
            noise.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        env.put("NOISE", noise.toString());
        Path workDir = dir.resolve("work dir 'quoted'");
        TaskConfig config = TaskConfig.builder().instanceType("a100").command(command).env(env)
                .workingDir(workDir.toString()).image("ubuntu:24.04").build();
        String script = StartupScriptBuilder.forTask(TASK, config).build();

        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path out = Files.createDirectories(dir.resolve("out"));
        Path docker = bin.resolve("docker");
        Files.writeString(docker, """
                #!/bin/bash
                if [ "$1" = run ]; then
                  for a in "$@"; do printf '%s\\0' "$a"; done > "$FLOW_TEST_OUT/argv"
                  env -0 > "$FLOW_TEST_OUT/env"
                  pwd > "$FLOW_TEST_OUT/pwd"
                fi
                """);
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path scriptFile = dir.resolve("startup.sh");
        Files.writeString(scriptFile, script);

        ProcessBuilder pb = new ProcessBuilder("bash", scriptFile.toString()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("FLOW_TEST_OUT", out.toString());
        pb.environment().put("FLOW_NODE_RANK", "0");
        Process bash = pb.start();
        String log = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as("script output: %s", log).isZero();

        List<String> argv = List.of(Files.readString(out.resolve("argv")).split("\0"));
        assertThat(argv.subList(argv.size() - 3, argv.size())).containsExactly("bash", "-lc", command);
        assertThat(argv).contains("--name=main", "ubuntu:24.04", workDir.toString());
        Map<String, String> seen = new HashMap<>();
        for (String entry : Files.readString(out.resolve("env")).split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                seen.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        env.forEach((k, v) -> assertThat(seen.get(k)).as("env %s", k).isEqualTo(v));
        assertThat(seen).containsEntry("FLOW_TASK_ID", TASK).containsEntry("FLOW_NUM_NODES", "1")
                .containsEntry("FLOW_NODE_RANK", "0");
        assertThat(Files.readString(out.resolve("pwd")).strip()).isEqualTo(workDir.toString());
        // nothing the command or values contain was executed by the script itself
        assertThat(log).doesNotContain("line2");
    }

    @Test
    void largeScriptsAreCompressedAndStillCarryTheBlock() {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 900; i++) {
            big.append("step ").append(i).append("; ");
        }
        TaskConfig config = TaskConfig.builder().instanceType("a100").command("echo " + big).build();
        String script = StartupScriptBuilder.forTask(TASK, config).build();
        assertThat(script.length()).isLessThanOrEqualTo(WorkloadBlock.MITHRIL_SCRIPT_LIMIT);
        assertThat(script).contains(WorkloadBlock.BOOTSTRAP_MARKER);
        assertThat(WorkloadBlock.find(script).orElseThrow().command()).isEqualTo("echo " + big);
    }

    @Test
    void scriptsTooLargeEvenCompressedAreAValidationErrorOnCommand() {
        Random random = new Random(2);
        StringBuilder incompressible = new StringBuilder();
        for (int i = 0; i < 30_000; i++) {
            incompressible.append((char) ('!' + random.nextInt(90)));
        }
        TaskConfig config = TaskConfig.builder().instanceType("a100").command("echo ok")
                .env(Map.of("BLOB", incompressible.toString())).build();
        assertThatThrownBy(() -> StartupScriptBuilder.forTask(TASK, config).build())
                .isInstanceOfSatisfying(ValidationError.class,
                        e -> assertThat(e.errors()).anySatisfy(f -> assertThat(f.field()).isEqualTo("command")));
    }

    @Test
    void nulInAValueIsAValidationErrorNamingTheField() {
        TaskConfig config = TaskConfig.builder().instanceType("a100").command("echo ok")
                .env(Map.of("BAD", "a\0b")).build();
        assertThatThrownBy(() -> StartupScriptBuilder.forTask(TASK, config).build())
                .isInstanceOfSatisfying(ValidationError.class,
                        e -> assertThat(e.errors()).anySatisfy(f -> assertThat(f.field()).isEqualTo("env.BAD")));
    }
}
