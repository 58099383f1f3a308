package dev.flow.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.flow.cli.LocalPlatform;
import dev.flow.model.error.AuthenticationError;
import dev.flow.model.error.FlowError;
import dev.flow.model.error.FlowServiceError;
import dev.flow.model.error.FlowTimeoutError;
import dev.flow.model.error.InsufficientQuotaError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.TaskExecutionError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.task.TaskConfig;
import dev.flow.model.task.VolumeSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Java client against the whole local stack: the seed's Complete Example and the seed's errors. */
@ExtendWith(LocalPlatform.class)
class FlowClientIT {

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

    /** The seed's "Complete Example", in Java with this client. */
    @Test
    void theSeedsCompleteExampleRunsToCompletion() {
        TaskConfig config = TaskConfig.builder()
                .name("training-run-42")
                .command("echo \"epoch 1 loss: 0.93\"; sleep 1; echo \"not a loss line\"; "
                        + "echo \"epoch 2 loss: 0.41 devices=$CUDA_VISIBLE_DEVICES\"")
                .instanceType("4xa100")
                .volumes(List.of(VolumeSpec.of("dataset", 500, "/data"), VolumeSpec.of("checkpoints", 100, "/checkpoints")))
                .env(Map.of("WANDB_API_KEY", "your-key", "CUDA_VISIBLE_DEVICES", "0,1,2,3"))
                .maxPricePerHour(new java.math.BigDecimal("20.0"))
                .build();

        Task task = flow.run(config);
        assertThat(task.taskId()).startsWith("task-");
        assertThat(task.name()).isEqualTo("training-run-42");
        assertThat(task.config().path("env").path("WANDB_API_KEY").asText()).isEqualTo("***");

        List<String> lossLines;
        try (Stream<String> lines = task.logs(true, 100)) {
            lossLines = lines.filter(line -> line.contains("loss:")).toList();
        }
        task.waitFor(PATIENCE);

        assertThat(lossLines).containsExactly("epoch 1 loss: 0.93", "epoch 2 loss: 0.41 devices=0,1,2,3");
        assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(task.isTerminal()).isTrue();
        assertThat(task.isRunning()).isFalse();
        assertThat(task.startedAt()).isNotNull();
        assertThat(task.completedAt()).isAfterOrEqualTo(task.startedAt());
        assertThat(task.instanceType()).isEqualTo("4xa100");
        assertThat(new java.math.BigDecimal(task.view().limitPrice().substring(1))).isLessThanOrEqualTo(new java.math.BigDecimal("20.00"));
        assertThat(flow.listVolumes(100)).extracting(Volume::name).contains("dataset", "checkpoints");
        assertThat(task.logs(10)).contains("epoch 2 loss: 0.41");
        assertThat(flow.listTasks(50)).extracting(Task::taskId).contains(task.taskId());
        assertThat(flow.getTask(task.taskId()).status()).isEqualTo(TaskStatus.COMPLETED);
    }

    @Test
    void waitForTimesOutWithTheSeedsTimeoutErrorAndTheTaskCanBeStopped() {
        Task task = flow.run("echo started; sleep 600", RunOptions.instanceType("a100").withName("client-timeout"));

        FlowTimeoutError timeout = catchThrowableOfType(FlowTimeoutError.class,
                () -> task.waitFor(Duration.ofSeconds(2)));
        assertThat(timeout.errorName()).isEqualTo("TimeoutError");
        assertThat(timeout.getMessage()).contains(task.taskId()).contains("after 2.0 s");
        assertThat(timeout.suggestions()).anyMatch(s -> s.contains("flow cancel " + task.taskId()));
        assertThat(task.isTerminal()).isFalse();

        task.stop();
        task.waitFor(PATIENCE);
        assertThat(task.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(task.reason()).isEqualTo("USER_CANCEL");
    }

    /** waitFor follows the submitter's status stream; a submitter restart drops it and the watch reconnects. */
    @Test
    void waitForFollowsTheStatusStreamAcrossASubmitterRestart() throws Exception {
        Task task = flow.run("echo started; sleep 20", RunOptions.instanceType("a100").withName("client-wait-restart"));
        List<TaskStatus> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CompletableFuture<Task> waiting = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> task.waitFor(PATIENCE, v -> seen.add(v.status())));
        // the first event is the stream's current view: from then on the watch is subscribed
        org.awaitility.Awaitility.await().atMost(PATIENCE).until(() -> !seen.isEmpty());
        assertThat(waiting).isNotDone();

        LocalPlatform.stack().restartService("submitter-service");

        Task done = waiting.get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(seen.getLast()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(seen).first().isIn(TaskStatus.PENDING, TaskStatus.RUNNING);
    }

    @Test
    void everyErrorClassSurfacesWithSuggestions() {
        // ValidationError: a misspelt instance type, with the closest names
        ValidationError invalid = catchThrowableOfType(ValidationError.class,
                () -> flow.run("echo x", RunOptions.instanceType("a1000").withName("client-invalid")));
        assertThat(invalid.errors()).extracting(e -> e.field()).contains("instance_type");
        assertThat(invalid.suggestions()).isNotEmpty();

        // AuthenticationError: a bad token, and no token at all
        try (Flow stranger = new Flow(LocalPlatform.config().withToken("not-a-jwt"))) {
            AuthenticationError refused = catchThrowableOfType(AuthenticationError.class, () -> stranger.listTasks(5));
            assertThat(refused.suggestions()).anyMatch(s -> s.contains("token"));
        }
        try (Flow anonymous = new Flow(LocalPlatform.config().withToken(null))) {
            AuthenticationError none = catchThrowableOfType(AuthenticationError.class, () -> anonymous.listTasks(5));
            assertThat(none.suggestions()).anyMatch(s -> s.contains(".flow-local/dev-token"));
        }

        // ResourceNotFoundError: an unknown task
        ResourceNotFoundError missing = catchThrowableOfType(ResourceNotFoundError.class,
                () -> flow.getTask("task-0000000000000000"));
        assertThat(missing.suggestions()).isNotEmpty();

        // FlowServiceError: the platform is not where the configuration says
        try (Flow nowhere = new Flow(FlowConfig.of("http://127.0.0.1:1", "http://127.0.0.1:1", "http://127.0.0.1:1",
                "t"))) {
            FlowServiceError down = catchThrowableOfType(FlowServiceError.class, () -> nowhere.listTasks(1));
            assertThat(down.suggestions()).anyMatch(s -> s.contains("./flow-local"));
        }

        // TaskExecutionError: deleting a volume a live task uses (409 from the submitter)
        Task user = flow.run("echo using; sleep 600", RunOptions.instanceType("a100").withName("client-volume-user")
                .withVolume(VolumeSpec.of("client-busy", 10, "/busy")));
        TaskExecutionError busy = catchThrowableOfType(TaskExecutionError.class, () -> flow.deleteVolume("client-busy"));
        assertThat(busy.getMessage()).contains(user.taskId());
        assertThat(busy.suggestions()).isNotEmpty();
        user.stop();
        user.waitFor(PATIENCE);

        // InsufficientQuotaError: Mithril refuses the bid for quota (an emulator fault with Mithril's wording)
        var emulator = LocalPlatform.stack().emulator().orElseThrow();
        emulator.admin("POST", "/_emulator/faults", "{\"method\":\"POST\",\"path_pattern\":\"/v2/spot/bids\","
                + "\"status\":403,\"detail\":\"Quota exceeded: project flow-dev may run 8 a100 instances\",\"count\":1}");
        try {
            InsufficientQuotaError quota = catchThrowableOfType(InsufficientQuotaError.class,
                    () -> flow.run("echo x", RunOptions.instanceType("a100").withName("client-quota")));
            assertThat(quota.getMessage()).contains("Quota exceeded");
            assertThat(quota.suggestions()).isNotEmpty();
        } finally {
            emulator.clearFaults();
        }

        // (TimeoutError: waitForTimesOutWithTheSeedsTimeoutError...)
        assertThatThrownBy(() -> flow.getTask("task-0000000000000000")).isInstanceOf(FlowError.class);
    }

    @Test
    void findInstancesIsCheapestFirstAndHonoursGpuMemory() {
        List<InstanceOffer> offers = flow.findInstances(Map.of("gpu_memory_gb", 80), 5);
        assertThat(offers).isNotEmpty().hasSizeLessThanOrEqualTo(5);
        assertThat(offers).allSatisfy(o -> assertThat(o.gpuMemoryGb()).isGreaterThanOrEqualTo(80));
        List<java.math.BigDecimal> prices = offers.stream()
                .map(o -> new java.math.BigDecimal(o.pricePerHour().substring(1))).toList();
        assertThat(prices).isSorted();
    }

    @Test
    void volumesAreCreatedListedAndDeleted() {
        Volume created = flow.createVolume(20, "client-scratch");
        assertThat(created.volumeId()).startsWith("vol_");
        assertThat(created.interfaceType()).isEqualTo("block");
        assertThat(flow.listVolumes(100)).extracting(Volume::name).contains("client-scratch");
        flow.deleteVolume("client-scratch");
        assertThat(flow.listVolumes(100)).extracting(Volume::name).doesNotContain("client-scratch");
    }
}
