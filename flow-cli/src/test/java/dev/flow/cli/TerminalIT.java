package dev.flow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.flow.client.Flow;
import dev.flow.client.Task;
import dev.flow.model.status.TaskStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code flow} as a person sees it: the real launcher script and jar, in a tmux pane (a real pseudo-terminal), the
 * screen read back with {@code tmux capture-pane -e} (escape sequences kept). tmux missing is a failure, not a skip.
 * Each test runs its own tmux server ({@code -L}), so no one else's sessions are touched.
 */
@ExtendWith(LocalPlatform.class)
class TerminalIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final Pattern PENDING_LINE = Pattern.compile("pending \\(SUBMITTED\\)\\s+(\\d+)\\.(\\d)s");

    private final String socket = "flow-cli-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    private String tmux;
    private Path tokenFile;

    @BeforeEach
    void requireTmux() throws IOException {
        tmux = List.of("/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux").stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
        if (tmux == null) {
            fail("tmux is required by the terminal test and was not found (/usr/bin/tmux): install it "
                    + "(apt-get install tmux); this test never skips");
        }
        assertThat(launcher()).as("the flow launcher").isExecutable();
        assertThat(launcher().resolveSibling("target/flow.jar")).as("the runnable jar (package phase)").isRegularFile();
        tokenFile = Files.createTempFile("flow-token-", "",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokenFile, LocalPlatform.stack().devToken());
    }

    @AfterEach
    void stopTmux() throws Exception {
        if (tmux != null) {
            tmux("kill-server");
        }
        if (tokenFile != null) {
            Files.deleteIfExists(tokenFile);
        }
    }

    @Test
    void runShowsALivePendingLineWithElapsedTimeInColourUntilTheTaskEnds() throws Exception {
        // a limit far below the spot price: the bid waits, the task stays pending until we cancel it
        shell("flow run 'sleep 600' -i a100 --max-price 0.01 -n tmux-pending");

        await().atMost(PATIENCE).until(() -> elapsedTenths(screen()) >= 15);
        String first = screen();
        int before = elapsedTenths(first);
        // redrawn in place: the elapsed time grows on the same single line
        await().atMost(PATIENCE).until(() -> elapsedTenths(screen()) > before + 5);
        String later = screen();
        assertThat(later.lines().filter(l -> l.contains("pending (SUBMITTED)")).count()).isEqualTo(1);
        assertThat(later).contains("Submitted task-");

        String coloured = screenWithEscapes();
        assertThat(coloured).as("ANSI colours on a terminal").contains("\u001b[");
        assertThat(coloured).as("pending in yellow").containsPattern("\u001b\\[33m(\u001b\\[[0-9;]*m)*pending");

        try (Flow flow = LocalPlatform.flow()) {
            Task task = flow.listTasks(50).stream().filter(t -> t.name().equals("tmux-pending")).findFirst()
                    .orElseThrow();
            task.cancel();
            await().atMost(PATIENCE).until(() -> screen().contains("EXIT="));
            assertThat(flow.getTask(task.taskId()).status()).isEqualTo(TaskStatus.CANCELLED);
        }
        String end = screen();
        assertThat(end).contains("cancelled (USER_CANCEL)").contains("EXIT=" + ExitCodes.TASK_CANCELLED);
        assertThat(end).doesNotContain("pending (SUBMITTED)"); // the live line was cleared
    }

    @Test
    void withoutATerminalThereAreNoColours() throws Exception {
        // the same terminal, but flow's output goes through a pipe: picocli's auto-detection turns colours off
        shell("flow ls --all 2>&1 | cat; echo PIPED; flow ls --all");
        await().atMost(PATIENCE).until(() -> screen().contains("EXIT="));
        String[] parts = screenWithEscapes().split("PIPED", 2);
        assertThat(parts).hasSize(2);
        assertThat(parts[0]).as("through a pipe").contains("TASK").contains("STATUS").doesNotContain("\u001b[");
        assertThat(parts[1]).as("on the terminal: a bold header").contains("\u001b[1m");
    }

    @Test
    void cancelAsksOnTheTerminalAndCancelsOnYes() throws Exception {
        try (Flow flow = LocalPlatform.flow()) {
            Task task = flow.run("sleep 600", dev.flow.client.RunOptions.instanceType("a100")
                    .withName("tmux-cancel").withMaxPricePerHour("0.01"));
            // the launcher's own terminal detection (stdin and stdout on the pane's pseudo-terminal)
            shell("flow cancel " + task.taskId());
            await().atMost(PATIENCE).until(() -> screen().contains("Cancel " + task.taskId() + "? [y/N]"));
            assertThat(flow.getTask(task.taskId()).status()).as("nothing happens before the answer")
                    .isEqualTo(TaskStatus.PENDING);
            tmux("send-keys", "-t", "flow", "y", "Enter");
            await().atMost(PATIENCE).until(() -> screen().contains("EXIT="));
            assertThat(screen()).contains("Cancelling: " + task.taskId()).contains("EXIT=0");
            assertThat(flow.getTask(task.taskId()).waitFor(PATIENCE).status()).isEqualTo(TaskStatus.CANCELLED);
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    private static Path launcher() {
        return Path.of(System.getProperty("flow.repo.root", "..")).resolve("flow-cli/flow").toAbsolutePath();
    }

    /** Starts the pane running these bash lines (with `flow` the launcher), then the exit code; the pane stays open. */
    private void shell(String lines) throws Exception {
        String script = "export JAVA_HOME='" + System.getProperty("java.home") + "'"
                + " FLOW_API_URL='" + LocalPlatform.url("submitter-service") + "'"
                + " FLOW_LOGS_URL='" + LocalPlatform.url("log-streamer") + "'"
                + " FLOW_COST_URL='" + LocalPlatform.url("cost-accountant") + "'"
                + " FLOW_TOKEN_FILE='" + tokenFile + "' TERM=xterm-256color; "
                + "flow() { '" + launcher() + "' \"$@\"; }; "
                + lines + "; echo EXIT=$?; sleep 600";
        tmux("new-session", "-d", "-s", "flow", "-x", "200", "-y", "50", "bash", "-c", script);
    }

    private String screen() throws Exception {
        return tmux("capture-pane", "-p", "-t", "flow");
    }

    private String screenWithEscapes() throws Exception {
        return tmux("capture-pane", "-p", "-e", "-t", "flow");
    }

    private static int elapsedTenths(String screen) {
        Matcher m = PENDING_LINE.matcher(screen);
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1)) * 10 + Integer.parseInt(m.group(2));
        }
        return last;
    }

    private String tmux(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(tmux, "-L", socket));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }
}
