package dev.flow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.flow.client.Flow;
import dev.flow.client.RunOptions;
import dev.flow.client.Task;
import dev.flow.model.instance.InstanceType;
import dev.flow.model.status.TaskStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine.Help.Ansi;

/** The CLI's output formats, cancel's confirmation and {@code ls --watch}, against the whole local stack. */
@ExtendWith(LocalPlatform.class)
class CliHabitsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static Flow flow;

    @BeforeAll
    static void client() {
        flow = LocalPlatform.flow();
    }

    @AfterAll
    static void close() {
        if (flow != null) {
            flow.close();
        }
    }

    /** A task whose bid is far below the spot price: it stays pending until cancelled. */
    private static Task pending(String name) {
        return flow.run("sleep 600", RunOptions.instanceType("a100").withName(name).withMaxPricePerHour("0.01"));
    }

    @Test
    void outputAsNamesWideAndWithoutHeaders() {
        Task task = pending("cli-formats");
        try {
            CliRun names = CliRun.flow("ls", "-o", "name");
            assertThat(names.exitCode()).as(names.err()).isZero();
            assertThat(names.out().lines().toList()).contains(task.taskId())
                    .allSatisfy(l -> assertThat(l).matches("task-[0-9a-z]{16}"));

            CliRun table = CliRun.flow("ls");
            CliRun wide = CliRun.flow("ls", "-o", "wide");
            assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("TASK").doesNotContain("PROJECT");
            assertThat(wide.out().lines().findFirst().orElseThrow()).startsWith("TASK").contains("PROJECT")
                    .contains("LIMIT $/H").contains("SSH");
            assertThat(wide.out()).contains(task.taskId());

            CliRun bare = CliRun.flow("ls", "--no-headers");
            assertThat(bare.out().lines().toList()).noneMatch(l -> l.startsWith("TASK"))
                    .anyMatch(l -> l.startsWith(task.taskId()) && l.contains("pending"));
            assertThat(CliRun.flow("status", task.taskId(), "-o", "name").out().strip()).isEqualTo(task.taskId());

            // one spelling of instance types: the canonical one, in `flow instances` and in `flow ls`
            CliRun types = CliRun.flow("instances", "--limit", "50", "-o", "name");
            assertThat(types.exitCode()).as(types.err()).isZero();
            assertThat(types.out().lines().toList()).isNotEmpty().allSatisfy(type -> assertThat(type)
                    .isEqualTo(InstanceType.parse(type).canonical()));
            assertThat(CliRun.flow("instances", "--no-headers").out()).doesNotContain(".sxm.8x").doesNotContain(
                    "-80gb.sxm.4x");
            assertThat(bare.out().lines().filter(l -> l.startsWith(task.taskId())).findFirst().orElseThrow())
                    .containsPattern("\\sa100\\s");
        } finally {
            task.cancel();
        }
    }

    @Test
    void cancelAsksOnATerminalAndNeedsYesElsewhere() {
        Task refused = pending("cli-cancel-refused");
        CliRun noTerminal = CliRun.flow("cancel", refused.taskId());
        assertThat(noTerminal.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(noTerminal.err()).contains("pass --yes");
        assertThat(flow.getTask(refused.taskId()).status()).isEqualTo(TaskStatus.PENDING);

        // on a terminal, answering "y"
        CliRun confirmed = onTerminal("y\n", "cancel", refused.taskId());
        assertThat(confirmed.exitCode()).as(confirmed.err()).isZero();
        assertThat(confirmed.err()).contains("Cancel " + refused.taskId() + "? [y/N]").contains("Cancelling: ");
        assertThat(flow.getTask(refused.taskId()).waitFor(PATIENCE).status()).isEqualTo(TaskStatus.CANCELLED);

        Task scripted = pending("cli-cancel-yes");
        CliRun yes = CliRun.flow("cancel", "-y", scripted.taskId());
        assertThat(yes.exitCode()).as(yes.err()).isZero();
        assertThat(yes.err()).doesNotContain("[y/N]");
        assertThat(flow.getTask(scripted.taskId()).waitFor(PATIENCE).status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void lsWatchPrintsEachChangeAsALineWithoutATerminal() throws Exception {
        CliRun.Shared out = new CliRun.Shared();
        CliRun.Shared err = new CliRun.Shared();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread watch = new Thread(() -> exit.set(CliRun.run(LocalPlatform.env(), new PrintWriter(out, true),
                new PrintWriter(err, true), "ls", "--watch", "--interval", "300ms")), "flow-ls-watch");
        watch.start();
        Task task = null;
        try {
            task = pending("cli-watch");
            String id = task.taskId();
            await().atMost(PATIENCE).until(() -> out.toString().lines().anyMatch(l -> l.contains(id)
                    && l.contains("pending")));
            flow.getTask(id).cancel();
            // the task leaves the active list: its last change is still printed, as a transition
            await().atMost(PATIENCE).until(() -> out.toString().lines().anyMatch(l -> l.contains(id)
                    && l.contains("-> cancelled")));
            assertThat(out.toString()).doesNotContain("\u001b[");
        } finally {
            watch.interrupt();
            watch.join(TimeUnit.SECONDS.toMillis(30));
            if (task != null) {
                task.cancel();
            }
        }
        assertThat(watch.isAlive()).isFalse();
        assertThat(exit.get()).as(err.toString()).isEqualTo(ExitCodes.INTERRUPTED);
    }

    @Test
    void theInstalledLauncherCompletionLoadsInBash() throws Exception {
        Path launcher = Path.of(System.getProperty("flow.repo.root", "..")).resolve("flow-cli/flow").toAbsolutePath();
        Process p = new ProcessBuilder("bash", "-c", "source <('" + launcher + "' completion bash); complete -p flow")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("-F _complete_flow flow");
    }

    private static CliRun onTerminal(String typed, String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = FlowCli.run(args, new HashMap<>(LocalPlatform.env()), Path.of("/nonexistent/flow-config.yaml"),
                new PrintWriter(out, true), new PrintWriter(err, true), Ansi.OFF,
                Console.reading(new BufferedReader(new StringReader(typed))));
        return new CliRun(code, out.toString(), err.toString());
    }
}
