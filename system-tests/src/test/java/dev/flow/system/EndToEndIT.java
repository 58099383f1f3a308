package dev.flow.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.QuarkusAppProcess;
import dev.flow.devstack.local.LocalStack;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.TaskResubmitted;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.tracing.TraceParents;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole platform across real processes: a real broker, a real database, the emulator and the four services,
 * each in its own JVM, started as {@code ./flow-local} starts them. A user submits tasks over REST and follows them
 * through Kafka events, a WebSocket and the cost API.
 */
class EndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    /** Faster than production defaults so a task's life takes seconds; the behaviour is the same. */
    private static final Map<String, String> FAST = Map.of(
            "flow.poller.interval", "300ms",
            "flow.poller.unexplained-termination-grace", "3s",
            "flow.poller.orphan-grace", "2s",
            "flow.cost.updates-every", "1s");

    @TempDir
    static Path state;

    private static LocalStack stack;
    private static KafkaCompanion companion;
    private static final Map<String, ConsumerTask<String, byte[]>> TOPICS = new java.util.LinkedHashMap<>();

    @BeforeAll
    static void startPlatform() {
        // Mithril gives 5 minutes' notice before a preemption; seconds here
        stack = LocalStack.start(LocalStack.Settings.forTests(state, FAST,
                Map.of("emulator.instances.preemption-notice", "2s")));
        companion = new KafkaCompanion(stack.kafkaBootstrapServers());
        for (String topic : List.of(Topics.TASK_LIFECYCLE, Topics.TASK_STATUS, Topics.TASK_STATE, Topics.TASK_LOGS,
                Topics.TASK_COMMANDS, Topics.COST_UPDATES)) {
            TOPICS.put(topic, companion.consume(Serdes.String(), Serdes.ByteArray())
                    .withOffsetReset(OffsetResetStrategy.EARLIEST)
                    .withGroupId("e2e-" + topic + "-" + System.nanoTime())
                    .withAutoCommit()
                    .fromTopics(topic));
        }
    }

    @AfterAll
    static void stopPlatform() {
        TOPICS.values().forEach(ConsumerTask::stop);
        if (companion != null) {
            companion.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aTaskRunsToCompletionWithItsLogsAndAnExactCost() throws Exception {
        // the client starts the trace, so the test knows its id: every service's records of the task must carry it
        String traceId = java.util.UUID.randomUUID().toString().replace("-", "");
        String taskId = given().auth().oauth2(stack.devToken()).contentType(ContentType.JSON)
                .header(TraceParents.HEADER, "00-" + traceId + "-" + "00f067aa0ba902b7" + "-01")
                .body(Map.of("name", "e2e-hello", "command", "echo hello; sleep 3; echo bye", "instance_type", "a100"))
                .post(submitter() + "/v1/tasks")
                .then().statusCode(201)
                .extract().path("task_id");

        List<TaskStatusChanged> changes = awaitStatus(taskId, TaskStatus.COMPLETED);
        assertThat(distinctStatuses(changes))
                .containsExactly(TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.COMPLETED);
        TaskStatusChanged completed = changes.get(changes.size() - 1);
        assertThat(completed.reason().toString()).isEqualTo("WORKLOAD_EXIT(0)");

        List<JsonNode> lines = logLines(taskId);
        assertThat(lines).extracting(line -> line.path("text").asText()).containsSubsequence("hello", "bye");
        assertThat(lines).extracting(line -> line.path("seq").asLong()).isSorted();

        // cost = price per instance-hour x running time x instances, from the events' own times (the ledger keeps
        // microseconds), exact to the micro-dollar, so a task of seconds is checked as strictly as one of days
        TaskStatusChanged running = changes.stream().filter(c -> c.to() == TaskStatus.RUNNING).findFirst()
                .orElseThrow();
        long micros = ChronoUnit.MICROS.between(running.at().truncatedTo(ChronoUnit.MICROS),
                completed.at().truncatedTo(ChronoUnit.MICROS));
        BigDecimal price = running.pricePerHour().amount();
        BigDecimal expected = price.multiply(BigDecimal.valueOf(micros))
                .multiply(BigDecimal.valueOf(running.numInstances()))
                .divide(BigDecimal.valueOf(3_600_000_000L), 6, RoundingMode.HALF_EVEN);
        assertThat(price).isPositive();
        assertThat(micros).isPositive();
        String costUrl = stack.service("cost-accountant").orElseThrow().baseUrl() + "/v1/costs/tasks/" + taskId;
        await().atMost(PATIENCE).untilAsserted(() -> {
            JsonNode cost = JSON.readTree(given().auth().oauth2(stack.devToken()).get(costUrl)
                    .then().statusCode(200).extract().asString());
            assertThat(new BigDecimal(cost.path("total_cost_exact").asText().substring(1)))
                    .isEqualByComparingTo(expected);
            assertThat(cost.path("total_cost_cents").asLong())
                    .isEqualTo(expected.movePointRight(2).setScale(0, RoundingMode.HALF_EVEN).longValueExact());
        });

        assertEveryRecordIsACloudEvent(taskId);
        assertOneTraceAcrossTheServices(taskId, traceId);
    }

    @Test
    void aFailingWorkloadEndsAsFailedWithItsExitCode() {
        String taskId = submit("e2e-fails", "echo about to fail; exit 3");

        List<TaskStatusChanged> changes = awaitStatus(taskId, TaskStatus.FAILED);
        TaskStatusChanged failed = changes.get(changes.size() - 1);
        assertThat(failed.reason().toString()).isEqualTo("WORKLOAD_EXIT(3)");
        // the submitter's read model follows the same event (its own consumer): it shows it once consumed
        await().atMost(PATIENCE).untilAsserted(() -> given().auth().oauth2(stack.devToken())
                .get(submitter() + "/v1/tasks/" + taskId)
                .then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("failed")));
    }

    @Test
    void aCancelledTaskEndsAsCancelled() {
        String taskId = submit("e2e-cancel", "echo started; sleep 600");
        awaitStatus(taskId, TaskStatus.RUNNING);

        given().auth().oauth2(stack.devToken()).delete(submitter() + "/v1/tasks/" + taskId)
                .then().statusCode(org.hamcrest.Matchers.lessThan(300));

        List<TaskStatusChanged> changes = awaitStatus(taskId, TaskStatus.CANCELLED);
        assertThat(changes.get(changes.size() - 1).reason().toString()).isEqualTo("USER_CANCEL");
    }

    /**
     * Preemption with {@code retry.on_preemption}: the market rises above the task's limit and takes its instance;
     * the poller asks for a resubmission, the submitter places bid {@code flow-<id>-r1}, the poller follows it, and
     * once the market falls again the task runs on the new bid, with its restart count shown by the task API.
     */
    @Test
    void aPreemptedTaskWithARetryPolicyIsResubmittedAndRunsAgain() throws Exception {
        String taskId = given().auth().oauth2(stack.devToken()).contentType(ContentType.JSON)
                .body(Map.of("name", "e2e-retry", "command", "echo up; sleep 600", "instance_type", "a100",
                        "max_price_per_hour", 20, "retry", Map.of("on_preemption", true, "max_restarts", 2)))
                .post(submitter() + "/v1/tasks")
                .then().statusCode(201).extract().path("task_id");
        awaitStatus(taskId, TaskStatus.RUNNING);
        java.util.function.Consumer<List<JsonNode>> saidUp =
                lines -> assertThat(lines).extracting(line -> line.path("text").asText()).contains("up");
        String logStreamer = stack.service("log-streamer").orElseThrow().baseUrl();
        logLines(logStreamer, taskId, saidUp); // collected before the preemption takes the node away
        JsonNode task = task(taskId);
        String region = task.path("region").asText();
        String firstBid = task.path("bid_fid").asText();
        MithrilEmulator emulator = stack.emulator().orElseThrow();
        String type = given().header("Authorization", "Bearer " + emulator.apiKey())
                .get(emulator.baseUrl() + "/v2/spot/bids/" + firstBid).then().statusCode(200)
                .extract().path("instance_type");
        try {
            emulator.setSpotPrice(type, region, "$30.00"); // above the limit: the auction preempts the instance

            await().atMost(PATIENCE).untilAsserted(() -> {
                JsonNode now = task(taskId);
                assertThat(now.path("restart_count").asInt()).as(() -> "restart count; status events "
                        + statusChanges(taskId) + ", commands " + records(Topics.TASK_COMMANDS, taskId).stream()
                        .map(CloudEventRecords::fromRecord).toList()).isEqualTo(1);
                assertThat(now.path("bid_name").asText()).isEqualTo("flow-" + taskId + "-r1");
                assertThat(now.path("bid_fid").asText()).isNotEqualTo(firstBid);
            });
            // the outbox relay publishes TaskResubmitted after the transaction the task API already reads from
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(lifecycle(taskId))
                    .filteredOn(TaskResubmitted.class::isInstance)
                    .map(TaskResubmitted.class::cast).singleElement()
                    .satisfies(r -> assertThat(r.oldBidFid()).isEqualTo(firstBid))
                    .satisfies(r -> assertThat(r.restartCount()).isEqualTo(1)));
            // the preempted run's lines stay readable while the task waits for its new bid
            logLines(logStreamer, taskId, saidUp);
        } finally {
            emulator.setSpotPrice(type, region, null); // the market falls back: the new bid wins an instance
        }
        await().atMost(PATIENCE).untilAsserted(() -> {
            List<TaskStatusChanged> changes = statusChanges(taskId);
            assertThat(distinctStatuses(changes)).containsSubsequence(TaskStatus.RUNNING, TaskStatus.PREEMPTING,
                    TaskStatus.PENDING, TaskStatus.RUNNING);
            assertThat(changes).anyMatch(c -> c.reason().toString().equals("RESUBMITTED"));
        });
        given().auth().oauth2(stack.devToken()).delete(submitter() + "/v1/tasks/" + taskId)
                .then().statusCode(org.hamcrest.Matchers.lessThan(300));
        awaitStatus(taskId, TaskStatus.CANCELLED);
    }

    /**
     * A bid named like the platform's with no task behind it (what a crashed submit leaves): the poller reports it,
     * sends one {@code StopTask(ORPHAN)} after its grace period, and the submitter cancels the bid at Mithril.
     */
    @Test
    void anOrphanBidIsStoppedThroughTheSubmitter() {
        MithrilEmulator emulator = stack.emulator().orElseThrow();
        String orphanTask = "task-" + Long.toString(System.nanoTime(), 36).substring(0, 8) + "0rphan00";
        String bidFid = given().header("Authorization", "Bearer " + emulator.apiKey()).contentType(ContentType.JSON)
                .body(Map.of("project", projectFid(emulator), "region", offer(emulator, "region"),
                        "instance_type", offer(emulator, "instance_type"), "limit_price", "$20.00",
                        "instance_quantity", 1, "name", "flow-" + orphanTask,
                        "launch_specification", Map.of("ssh_keys", List.of(), "volumes", List.of(),
                                "startup_script", "#!/bin/bash\nsleep 600\n")))
                .post(emulator.baseUrl() + "/v2/spot/bids")
                .then().statusCode(201).extract().path("fid");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(given()
                .header("Authorization", "Bearer " + emulator.apiKey())
                .get(emulator.baseUrl() + "/v2/spot/bids/" + bidFid)
                .then().statusCode(200).extract().<String>path("status")).isEqualTo("Terminated"));
        // the test's own consumer of the commands topic may read the StopTask after the submitter acted on it
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(records(Topics.TASK_COMMANDS, orphanTask).stream()
                .map(CloudEventRecords::fromRecord).flatMap(java.util.Optional::stream)
                .filter(StopTask.class::isInstance).map(StopTask.class::cast).toList())
                .singleElement().satisfies(stop -> assertThat(stop.reason()).isEqualTo(TransitionReason.ORPHAN)));
    }

    /**
     * Two log-streamer replicas on one broker: a 2-node task's lines are collected once (one replica owns the task's
     * partition), and viewers of either replica get the same lines, tokens and order.
     */
    @Test
    void twoLogStreamerReplicasServeTheSameLinesCollectedOnce() throws Exception {
        try (QuarkusAppProcess replica = stack.startReplica("log-streamer", 2)) {
            String taskId = given().auth().oauth2(stack.devToken()).contentType(ContentType.JSON)
                    .body(Map.of("name", "e2e-replicas", "instance_type", "a100", "num_instances", 2,
                            "command", "for i in $(seq 1 20); do echo node-$FLOW_NODE_RANK-line-$i; done; sleep 2"))
                    .post(submitter() + "/v1/tasks")
                    .then().statusCode(201).extract().path("task_id");
            awaitStatus(taskId, TaskStatus.COMPLETED);

            java.util.function.Consumer<List<JsonNode>> all40 = lines -> assertThat(lines)
                    .filteredOn(line -> line.path("text").asText().contains("-line-")).hasSize(40);
            List<JsonNode> first = logLines(stack.service("log-streamer").orElseThrow().baseUrl(), taskId, all40);
            List<JsonNode> second = logLines(replica.baseUrl(), taskId, all40);

            assertThat(second).isEqualTo(first);
            // collected once: every (node, seq) appears once, and each node's lines are all there in order
            assertThat(first).extracting(line -> line.path("node").asInt() + "/" + line.path("seq").asLong())
                    .doesNotHaveDuplicates();
            for (int node = 0; node < 2; node++) {
                int n = node;
                assertThat(first).filteredOn(line -> line.path("node").asInt() == n)
                        .extracting(line -> line.path("text").asText()).filteredOn(t -> t.contains("-line-"))
                        .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 20)
                                .mapToObj(i -> "node-" + n + "-line-" + i).toList());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static JsonNode task(String taskId) throws Exception {
        return JSON.readTree(given().auth().oauth2(stack.devToken()).get(submitter() + "/v1/tasks/" + taskId)
                .then().statusCode(200).extract().asString());
    }

    private static List<FlowEvent> lifecycle(String taskId) {
        return records(Topics.TASK_LIFECYCLE, taskId).stream().map(CloudEventRecords::fromRecord)
                .flatMap(java.util.Optional::stream).toList();
    }

    private static String projectFid(MithrilEmulator emulator) {
        List<Map<String, Object>> projects = given().header("Authorization", "Bearer " + emulator.apiKey())
                .get(emulator.baseUrl() + "/v2/projects").then().statusCode(200).extract().jsonPath().getList("$");
        return projects.stream().filter(p -> stack.project().equals(p.get("name"))).map(p -> (String) p.get("fid"))
                .findFirst().orElseThrow();
    }

    /** A field of the first spot auction on offer (its region, its instance type's fid). */
    private static String offer(MithrilEmulator emulator, String field) {
        return given().header("Authorization", "Bearer " + emulator.apiKey())
                .get(emulator.baseUrl() + "/v2/spot/availability").then().statusCode(200)
                .extract().path("[0]." + field);
    }

    private static String submitter() {
        return stack.service("submitter-service").orElseThrow().baseUrl();
    }

    private static String submit(String name, String command) {
        return given().auth().oauth2(stack.devToken()).contentType(ContentType.JSON)
                .body(Map.of("name", name, "command", command, "instance_type", "a100"))
                .post(submitter() + "/v1/tasks")
                .then().statusCode(201)
                .extract().path("task_id");
    }

    /** The task's status events until one reaches {@code last}, in the order the poller published them. */
    private static List<TaskStatusChanged> awaitStatus(String taskId, TaskStatus last) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(statusChanges(taskId))
                .as(() -> taskId + " reaches " + last + "; its status events so far: " + statusChanges(taskId))
                .anyMatch(c -> c.to() == last));
        return statusChanges(taskId);
    }

    private static List<TaskStatusChanged> statusChanges(String taskId) {
        List<TaskStatusChanged> changes = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records(Topics.TASK_STATUS, taskId)) {
            CloudEventRecords.fromRecord(record).filter(TaskStatusChanged.class::isInstance).map(TaskStatusChanged.class::cast)
                    .ifPresent(changes::add);
        }
        return changes;
    }

    private static List<TaskStatus> distinctStatuses(List<TaskStatusChanged> changes) {
        List<TaskStatus> statuses = new ArrayList<>();
        for (TaskStatusChanged change : changes) {
            if (statuses.isEmpty() || statuses.get(statuses.size() - 1) != change.to()) {
                statuses.add(change.to());
            }
        }
        return statuses;
    }

    private static List<ConsumerRecord<String, byte[]>> records(String topic, String taskId) {
        return TOPICS.get(topic).getRecords().stream().filter(r -> taskId.equals(r.key())).toList();
    }

    /**
     * The task's records on every topic it has (lifecycle: submitter and log-streamer; status and state: poller; logs:
     * log-streamer; cost updates: cost-accountant) carry a W3C traceparent of the trace its POST started.
     */
    private static void assertOneTraceAcrossTheServices(String taskId, String traceId) {
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(records(Topics.COST_UPDATES, taskId))
                .as("cost updates of %s", taskId).isNotEmpty());
        List<String> outside = new ArrayList<>();
        for (String topic : List.of(Topics.TASK_LIFECYCLE, Topics.TASK_STATUS, Topics.TASK_STATE, Topics.TASK_LOGS,
                Topics.COST_UPDATES)) {
            List<ConsumerRecord<String, byte[]>> records = records(topic, taskId);
            assertThat(records).as("%s records of %s", topic, taskId).isNotEmpty();
            for (ConsumerRecord<String, byte[]> record : records) {
                String traceparent = TraceParents.fromHeaders(record.headers()).orElse("none");
                if (!traceparent.startsWith("00-" + traceId + "-")) {
                    Map<String, String> headers = CloudEventRecords.headersOf(record);
                    outside.add(topic + " " + headers.get("ce_type") + " from " + headers.get("ce_source")
                            + ": traceparent " + traceparent);
                }
            }
        }
        assertThat(outside).as("records of %s outside the trace %s of its POST", taskId, traceId).isEmpty();
    }

    private static void assertEveryRecordIsACloudEvent(String taskId) {
        for (String topic : TOPICS.keySet()) {
            for (ConsumerRecord<String, byte[]> record : records(topic, taskId)) {
                assertThat(CloudEventRecords.headersOf(record)).as("headers of a %s record", topic)
                        .containsEntry("ce_specversion", "1.0")
                        .containsEntry("ce_subject", taskId)
                        .containsKeys("ce_id", "ce_type", "ce_source", "ce_time", "content-type");
                assertThat(CloudEventRecords.fromRecord(record)).as("a %s record decodes as a known event", topic).isPresent();
            }
        }
    }

    /** The task's log lines over a real WebSocket, as a viewer gets them: the tail, then the socket closes. */
    private static List<JsonNode> logLines(String taskId) throws Exception {
        return logLines(stack.service("log-streamer").orElseThrow().baseUrl(), taskId,
                lines -> assertThat(lines).extracting(line -> line.path("text").asText()).contains("hello", "bye"));
    }

    /** The lines one log-streamer replica serves, read again until {@code complete} holds. */
    private static List<JsonNode> logLines(String logStreamer, String taskId,
                                           java.util.function.Consumer<List<JsonNode>> complete) throws Exception {
        URI uri = URI.create(logStreamer.replace("http://", "ws://")
                + "/v1/tasks/" + taskId + "/logs?tail=1000&follow=false");
        List<JsonNode> lines = new CopyOnWriteArrayList<>();
        await().atMost(PATIENCE).untilAsserted(() -> {
            lines.clear();
            CompletableFuture<Void> closed = new CompletableFuture<>();
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Authorization", "Bearer " + stack.devToken())
                    .buildAsync(uri, new WebSocket.Listener() {
                        private final StringBuilder partial = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                try {
                                    JsonNode message = JSON.readTree(partial.toString());
                                    if (message.path("type").asText("line").equals("line")) {
                                        lines.add(message);
                                    }
                                } catch (Exception e) {
                                    closed.completeExceptionally(e);
                                }
                                partial.setLength(0);
                            }
                            webSocket.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                            closed.complete(null);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket webSocket, Throwable error) {
                            closed.completeExceptionally(error);
                        }
                    }).get(10, TimeUnit.SECONDS);
            closed.get(30, TimeUnit.SECONDS);
            socket.abort();
            complete.accept(lines);
        });
        return List.copyOf(lines);
    }
}
