package dev.flow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.flow.client.Flow;
import dev.flow.client.RunOptions;
import dev.flow.client.Task;
import dev.flow.client.TaskView;
import dev.flow.model.json.FlowJson;
import dev.flow.model.status.TaskStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@code flow} command (in process, as main() runs it) against the whole local stack. */
@ExtendWith(LocalPlatform.class)
class FlowCliIT {

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = FlowJson.mapper();
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

    @Test
    void runFollowStreamsTheLogsAndExitsWithTheTasksOutcome() throws Exception {
        CliRun ok = CliRun.flow("run", "echo first line; sleep 1; echo second line", "-i", "a100", "-n", "cli-follow",
                "--max-price", "10", "--env", "GREETING=hello", "--follow");
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out().lines().toList()).containsSubsequence("first line", "second line");
        assertThat(ok.err()).contains("Submitted task-").contains("completed (WORKLOAD_EXIT(0))");
        // not a terminal: one plain status line per change, no escape sequences
        assertThat(ok.err()).contains("pending (").doesNotContain("\u001b[");
        String taskId = ok.err().replaceAll("(?s).*Submitted (task-[0-9a-z]{16}).*", "$1");

        // -o json parsed back: the same task, completed
        CliRun status = CliRun.flow("status", taskId, "-o", "json");
        assertThat(status.exitCode()).isZero();
        TaskView view = JSON.readValue(status.out(), TaskView.class);
        assertThat(view.taskId()).isEqualTo(taskId);
        assertThat(view.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(view.config().path("env").path("GREETING").asText()).isEqualTo("***");

        CliRun all = CliRun.flow("ls", "--all", "-o", "json");
        assertThat(Arrays.asList(JSON.readValue(all.out(), TaskView[].class))).extracting(TaskView::taskId)
                .contains(taskId);
        CliRun yaml = CliRun.flow("status", taskId, "-o", "yaml");
        JsonNode fromYaml = new ObjectMapper(new YAMLFactory()).readTree(yaml.out());
        assertThat(fromYaml.path("task_id").asText()).isEqualTo(taskId);

        // the ledger knows what it cost (the accountant reads status events asynchronously)
        await().atMost(PATIENCE).untilAsserted(() -> {
            CliRun cost = CliRun.flow("cost", taskId, "-o", "json");
            assertThat(cost.exitCode()).as(cost.err()).isZero();
            assertThat(JSON.readTree(cost.out()).path("total_cost").asText()).startsWith("$");
        });

        CliRun failing = CliRun.flow("run", "echo about to fail; exit 3", "-i", "a100", "-n", "cli-fails", "-f");
        assertThat(failing.exitCode()).as(failing.err()).isEqualTo(ExitCodes.TASK_FAILED);
        assertThat(failing.out()).contains("about to fail");
        assertThat(failing.err()).contains("failed (WORKLOAD_EXIT(3))");
    }

    @Test
    void logsFollowResumesAcrossALogStreamerRestartWithoutGapsOrRepeats() throws Exception {
        String script = "for i in $(seq 1 30); do echo line-$i; sleep 0.3; done";
        Task task = flow.run(script, RunOptions.instanceType("a100").withName("cli-logs-restart"));
        CliRun.Shared out = new CliRun.Shared();
        CliRun.Shared err = new CliRun.Shared();
        CompletableFuture<Integer> follower = CompletableFuture.supplyAsync(() -> CliRun.run(LocalPlatform.env(),
                new PrintWriter(out, true), new PrintWriter(err, true), "logs", "-f", task.taskId()));

        await().atMost(PATIENCE).until(() -> out.toString().contains("line-2\n"));
        LocalPlatform.stack().restartService("log-streamer");

        int code = follower.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(code).as(err.toString()).isZero();
        List<String> expected = IntStream.rangeClosed(1, 30).mapToObj(i -> "line-" + i).toList();
        assertThat(out.toString().lines().toList()).containsExactlyElementsOf(expected);
        assertThat(flow.getTask(task.taskId()).status()).isEqualTo(TaskStatus.COMPLETED);
    }

    @Test
    void errorsSayWhatToDoAndExitWithTheirClassesCode() {
        CliRun notFound = CliRun.flow("status", "task-0000000000000000");
        assertThat(notFound.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(notFound.err()).contains("Error (ResourceNotFoundError)").contains("Suggestions:");

        CliRun invalid = CliRun.flow("run", "echo x", "-i", "a1000", "-n", "cli-invalid");
        assertThat(invalid.exitCode()).isEqualTo(ExitCodes.VALIDATION);
        assertThat(invalid.err()).contains("Error (ValidationError)").contains("instance_type").contains("Suggestions:");

        CliRun badToken = CliRun.flow(Map.of("FLOW_API_URL", LocalPlatform.url("submitter-service"),
                "FLOW_TOKEN", "not-a-jwt"), "ls");
        assertThat(badToken.exitCode()).isEqualTo(ExitCodes.AUTHENTICATION);
        assertThat(badToken.err()).contains("Error (AuthenticationError)").contains("Suggestions:");

        CliRun down = CliRun.flow(Map.of("FLOW_API_URL", "http://127.0.0.1:1", "FLOW_TOKEN", "t"), "ls");
        assertThat(down.exitCode()).isEqualTo(ExitCodes.SERVICE);
        assertThat(down.err()).contains("cannot reach http://127.0.0.1:1").contains("./flow-local");

        var emulator = LocalPlatform.stack().emulator().orElseThrow();
        emulator.admin("POST", "/_emulator/faults", "{\"method\":\"POST\",\"path_pattern\":\"/v2/spot/bids\","
                + "\"status\":403,\"detail\":\"Quota exceeded for a100\",\"count\":1}");
        try {
            CliRun quota = CliRun.flow("run", "echo x", "-i", "a100", "-n", "cli-quota");
            assertThat(quota.exitCode()).as(quota.err()).isEqualTo(ExitCodes.QUOTA);
            assertThat(quota.err()).contains("Error (InsufficientQuotaError)").contains("Suggestions:");
        } finally {
            emulator.clearFaults();
        }

        CliRun usage = CliRun.flow("run");
        assertThat(usage.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(usage.err()).contains("Missing required parameter");
    }

    @Test
    void instancesVolumesBudgetsAndCancelInEveryFormat() throws Exception {
        CliRun offers = CliRun.flow("instances", "--gpu-memory", "80", "-o", "json");
        assertThat(offers.exitCode()).as(offers.err()).isZero();
        JsonNode list = JSON.readTree(offers.out());
        assertThat(list.isArray() && !list.isEmpty()).isTrue();
        list.forEach(o -> assertThat(o.path("gpu_memory_gb").asInt()).isGreaterThanOrEqualTo(80));
        assertThat(CliRun.flow("instances", "--gpu-memory", "80").out()).startsWith("TYPE").contains("$");

        CliRun created = CliRun.flow("volumes", "create", "cli-data", "--size", "10", "-o", "yaml");
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(new ObjectMapper(new YAMLFactory()).readTree(created.out()).path("name").asText()).isEqualTo("cli-data");
        assertThat(CliRun.flow("volumes", "ls").out()).contains("cli-data").contains("10 GB");
        assertThat(CliRun.flow("volumes", "rm", "cli-data").exitCode()).isZero();
        assertThat(CliRun.flow("volumes", "ls", "-o", "json").out()).doesNotContain("cli-data");

        CliRun budget = CliRun.flow("budgets", "set", "--period", "monthly", "--limit", "500", "--thresholds", "50,90",
                "-o", "json");
        assertThat(budget.exitCode()).as(budget.err()).isZero();
        assertThat(JSON.readTree(budget.out()).path("limit").asText()).isEqualTo("$500.00");
        JsonNode budgets = JSON.readTree(CliRun.flow("budgets", "ls", "-o", "json").out());
        assertThat(budgets.findValuesAsText("period")).contains("monthly");

        CliRun byDay = CliRun.flow("cost", "--by", "day", "--days", "3", "-o", "json");
        assertThat(byDay.exitCode()).as(byDay.err()).isZero();
        assertThat(JSON.readTree(byDay.out())).hasSize(3);

        // a bid below the spot price waits: pending until cancelled
        CliRun detached = CliRun.flow("run", "sleep 600", "-i", "a100", "--max-price", "0.01", "-n", "cli-cancel",
                "--detach", "-o", "json");
        assertThat(detached.exitCode()).as(detached.err()).isZero();
        String taskId = JSON.readTree(detached.out()).path("task_id").asText();
        assertThat(CliRun.flow("cancel", "--yes", taskId).exitCode()).isZero();
        Task cancelled = flow.getTask(taskId).waitFor(PATIENCE);
        assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
    }
}
