package dev.flow.logs;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.logs.service.LiveLogHub;
import dev.flow.logs.service.LogViews;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.LogStream;
import dev.flow.model.event.Topics;
import dev.flow.model.status.TaskStatus;
import dev.flow.service.messaging.CloudEventRecords;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static dev.flow.logs.TestSupport.newTaskId;
import static dev.flow.logs.TestSupport.publish;
import static dev.flow.logs.TestSupport.status;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Fan-out from the replica's one live consumption ({@link LiveLogHub}): history and live joined without gap or
 * duplicate, a slow viewer that does not delay a fast one and gets a gap marker, pending tasks, the node filter and
 * the task list. Real Kafka, real WebSocket clients; the test publishes the status events and lines itself.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(PlatformKeyResource.class)
class LogFanoutTest {

    private static final String PROJECT = "flow-dev";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Inject
    LiveLogHub hub;

    @Inject
    LogViews views;

    @TestHTTPResource("/")
    URI base;

    private final String alice = DevJwt.shared().token("alice", List.of(PROJECT));

    @Test
    void viewersJoiningWhileLinesFlowSeeEveryLineOnceInOrder() throws Exception {
        String taskId = newTaskId();
        String path = "/v1/tasks/" + taskId + "/logs";
        publish(kafka, status(taskId, PROJECT, null, TaskStatus.RUNNING, List.of()));
        publishLines(taskId, 0, 0, 200, 0);
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice).get(path + "?tail=1")
                .then().statusCode(200).body(containsString("line-199")));

        // viewers join at different moments while 1500 more lines are being published
        int total = 1700;
        // on a virtual thread, which inherits the test's class loader: on a common-pool thread (runAsync) the
        // companion's Mutiny context propagation once failed in a full run to load its extensions under another
        // class loader (ServiceConfigurationError "MutinyContextManagerExtension not a subtype"); alone it passed
        CompletableFuture<Void> producing = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                for (int from = 200; from < total; from += 100) {
                    publishLines(taskId, 0, from, 100, 0);
                }
                producing.complete(null);
            } catch (RuntimeException | Error e) {
                producing.completeExceptionally(e);
            }
        });
        List<JdkSocketClient> viewers = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                // two of them take frames of several lines (batch=true): the same lines, fewer frames
                viewers.add(JdkSocketClient.connect(base, path + "?tail=50&batch=" + (i % 2 == 1), alice, true));
                int seen = i;
                await().atMost(WAIT).until(() -> viewers.get(seen).lines().size() >= 50);
            }
            producing.get();
            for (JdkSocketClient viewer : viewers) {
                await().atMost(WAIT).until(() -> last(viewer).getLong("seq") == total - 1);
                List<Long> seqs = viewer.lines().stream().map(m -> m.getLong("seq")).toList();
                long first = seqs.getFirst();
                // the tail and the live lines meet exactly: consecutive seqs, nothing twice, nothing missing
                assertThat(seqs).containsExactlyElementsOf(LongStream.range(first, total).boxed().toList());
            }
            // all of them are served by the one live consumer, each with its own bounded buffer
            assertThat(hub.subscriptions()).isGreaterThanOrEqualTo(4);
        } finally {
            viewers.forEach(JdkSocketClient::close);
        }
        await().atMost(WAIT).until(() -> views.openViews() == 0);
    }

    /**
     * The default protocol, as wscat or any generic client uses it: many viewers of one task (WebSocket without
     * {@code batch}, and Server-Sent Events) get a burst written as whole batches, yet each line arrives once, in
     * order, as its own JSON message (one text frame, one event).
     */
    @Test
    void genericClientsGetEveryLineOfABurstOnceInOrderOneMessageEach() throws Exception {
        String taskId = newTaskId();
        String path = "/v1/tasks/" + taskId + "/logs";
        publish(kafka, status(taskId, PROJECT, null, TaskStatus.RUNNING, List.of()));
        publishLines(taskId, 0, 0, 1, 0);
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice).get(path + "?tail=1")
                .then().statusCode(200).body(containsString("line-0")));

        int total = 3000;
        List<JdkSocketClient> sockets = new ArrayList<>();
        List<LogEventStreamClient> streams = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                sockets.add(JdkSocketClient.connect(base, path + "?tail=1", alice, true));
            }
            for (int i = 0; i < 3; i++) {
                streams.add(LogEventStreamClient.open(base, path + "?tail=1", alice, null));
            }
            // every viewer has its tail (line-0) and follows live before the burst starts
            for (JdkSocketClient socket : sockets) {
                await().atMost(WAIT).until(() -> socket.lines().size() == 1);
            }
            for (LogEventStreamClient stream : streams) {
                await().atMost(WAIT).until(() -> stream.events.size() == 1);
            }
            await().atMost(WAIT).until(() -> hub.subscriptions() >= sockets.size() + streams.size());

            publishLines(taskId, 0, 1, total - 1, 100);

            List<Long> expected = LongStream.range(0, total).boxed().toList();
            for (JdkSocketClient socket : sockets) {
                await().atMost(WAIT).until(() -> last(socket).getLong("seq") == total - 1);
                assertThat(socket.lines()).extracting(m -> m.getLong("seq")).containsExactlyElementsOf(expected);
                // one JSON object per text frame: the batching is in the writes, never in the protocol
                assertThat(socket.frames.get()).isEqualTo(socket.messages.size());
                assertThat(socket.messages).allSatisfy(m -> assertThat(m.getString("type")).isIn("line", "gap"));
            }
            for (LogEventStreamClient stream : streams) {
                await().atMost(WAIT).until(() -> stream.events.size() >= total
                        && stream.events.getLast().data().getLong("seq", -1L) == total - 1);
                List<LogEventStreamClient.Event> lines = stream.events.stream()
                        .filter(e -> "line".equals(e.data().getString("type"))).toList();
                assertThat(lines).extracting(e -> e.data().getLong("seq")).containsExactlyElementsOf(expected);
                // each event is one line whose id is that line's token
                assertThat(lines).allSatisfy(e -> assertThat(e.id()).isEqualTo(e.data().getString("token")));
            }
        } finally {
            sockets.forEach(JdkSocketClient::close);
            streams.forEach(LogEventStreamClient::close);
        }
        await().atMost(WAIT).until(() -> views.openViews() == 0);
    }

    @Test
    void aSlowViewerGetsAGapMarkerAndNeverDelaysAFastOne() throws Exception {
        String taskId = newTaskId();
        String path = "/v1/tasks/" + taskId + "/logs";
        publish(kafka, status(taskId, PROJECT, null, TaskStatus.RUNNING, List.of()));
        publishLines(taskId, 0, 0, 1, 0);
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice).get(path)
                .then().statusCode(200).body(containsString("line-0")));

        int total = 5000;
        try (JdkSocketClient slow = JdkSocketClient.connect(base, path + "?tail=1", alice, false);
             JdkSocketClient fast = JdkSocketClient.connect(base, path + "?tail=1", alice, true)) {
            await().atMost(WAIT).until(() -> fast.lines().size() == 1);
            await().atMost(WAIT).until(() -> hub.subscriptions() >= 2);
            // ~20 MB: far more than TCP buffers hold for a viewer that does not read, plus its live buffer
            for (int from = 1; from < total; from += 500) {
                publishLines(taskId, 0, from, Math.min(500, total - from), 4000);
            }
            await().atMost(WAIT).untilAsserted(() -> assertThat(fast.lines().size())
                    .as("lines of the fast viewer (last %s, gaps %s)", last(fast).getLong("seq"),
                            fast.messages.stream().filter(m -> "gap".equals(m.getString("type"))).count())
                    .isEqualTo(total));
            assertThat(fast.lines()).extracting(m -> m.getLong("seq"))
                    .containsExactlyElementsOf(LongStream.range(0, total).boxed().toList());
            // the fast one is done while the slow one has not read a single frame
            assertThat(slow.messages).isEmpty();

            slow.startReading();
            await().atMost(WAIT).until(() -> !slow.lines().isEmpty() && last(slow).getLong("seq") == total - 1);
            List<JsonObject> messages = List.copyOf(slow.messages);
            // nothing lost, nothing twice: the gap only says the live buffer was dropped and Kafka took over
            assertThat(slow.lines()).extracting(m -> m.getLong("seq"))
                    .containsExactlyElementsOf(LongStream.range(0, total).boxed().toList());
            int gapAt = IntStream.range(0, messages.size())
                    .filter(i -> "gap".equals(messages.get(i).getString("type"))).findFirst().orElse(-1);
            assertThat(gapAt).as("a gap marker").isGreaterThan(0);
            JsonObject gap = messages.get(gapAt);
            assertThat(gap.getString("task_id")).isEqualTo(taskId);
            assertThat(gap.getInteger("dropped")).isPositive();
            long token = Long.parseLong(gap.getString("token"));
            JsonObject before = messages.get(gapAt - 1);
            JsonObject after = messages.get(gapAt + 1);
            assertThat(Long.parseLong(before.getString("token"))).isLessThanOrEqualTo(token);
            assertThat(Long.parseLong(after.getString("token"))).isGreaterThan(token);
            assertThat(after.getLong("seq")).isEqualTo(before.getLong("seq") + 1);

            // the gap's token is a valid resume point: a new viewer resuming there gets the rest, exactly
            long resumeFrom = after.getLong("seq");
            try (JdkSocketClient resumed = JdkSocketClient.connect(base,
                    path + "?follow=false&after=" + gap.getString("token"), alice, true)) {
                await().atMost(WAIT).untilTrue(resumed.closed);
                assertThat(resumed.lines()).extracting(m -> m.getLong("seq"))
                        .containsExactlyElementsOf(LongStream.range(resumeFrom, total).boxed().toList());
            }
        }
        await().atMost(WAIT).until(() -> views.openViews() == 0);
    }

    @Test
    void aPendingTaskSaysSoAndTheFollowerWaitsForItsLines() throws Exception {
        String taskId = newTaskId();
        String path = "/v1/tasks/" + taskId + "/logs";
        publish(kafka, status(taskId, PROJECT, null, TaskStatus.PENDING, List.of()));
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice).get("/v1/logs/tasks")
                .then().statusCode(200).body("find { it.task_id == '" + taskId + "' }.status", equalTo("pending")));

        // plain text: a clear 409 rather than an empty answer
        given().auth().oauth2(alice).get(path).then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", containsString("TaskExecutionError"))
                .body("detail", containsString("pending"));
        // SSE without follow: the status note, then the end
        try (LogEventStreamClient sse = LogEventStreamClient.open(base, path + "?follow=false", alice, null)) {
            await().atMost(WAIT).untilTrue(sse.ended);
            assertThat(sse.events).hasSize(1);
            assertThat(sse.events.getFirst().data().getString("type")).isEqualTo("status");
            assertThat(sse.events.getFirst().data().getString("status")).isEqualTo("pending");
        }
        // WebSocket following: the status note first, then the lines once the task runs
        try (JdkSocketClient ws = JdkSocketClient.connect(base, path, alice, true)) {
            await().atMost(WAIT).until(() -> ws.messages.size() == 1);
            assertThat(ws.messages.getFirst().getString("type")).isEqualTo("status");
            assertThat(ws.messages.getFirst().getString("status")).isEqualTo("pending");
            assertThat(ws.messages.getFirst().getString("message")).contains("not running yet");
            await().atMost(WAIT).until(() -> hub.subscriptions() >= 1);
            publish(kafka, status(taskId, PROJECT, TaskStatus.PENDING, TaskStatus.RUNNING, List.of()));
            publishLines(taskId, 0, 0, 2, 0);
            await().atMost(WAIT).until(() -> ws.lines().size() == 2);
            assertThat(ws.lines()).extracting(m -> m.getString("text")).containsExactly("line-0", "line-1");
            assertThat(ws.closed).isFalse();
        }
        given().auth().oauth2(alice).get("/v1/logs/tasks").then().statusCode(200)
                .body("find { it.task_id == '" + taskId + "' }.status", equalTo("running"));
    }

    @Test
    void theNodeFilterAndTheTaskListFollowTheToken() throws Exception {
        String taskId = newTaskId();
        String foreign = newTaskId();
        String path = "/v1/tasks/" + taskId + "/logs";
        publish(kafka, status(taskId, PROJECT, TaskStatus.RUNNING, 2));
        publish(kafka, status(foreign, "flow-other", null, TaskStatus.RUNNING, List.of()));
        for (int i = 0; i < 3; i++) {
            publish(kafka, new LogLine(taskId, 0, i, Instant.now(), LogStream.STDOUT, "zero-" + i));
            publish(kafka, new LogLine(taskId, 1, i, Instant.now(), LogStream.STDOUT, "one-" + i));
        }
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice).get(path + "?node=1&tail=2")
                .then().statusCode(200).body(containsString("one-2")));
        String text = given().auth().oauth2(alice).get(path + "?node=1&tail=2").then().statusCode(200)
                .extract().asString();
        assertThat(text).contains("[node 1] one-1", "[node 1] one-2").doesNotContain("zero", "one-0");
        given().auth().oauth2(alice).get(path + "?node=-1").then().statusCode(422);
        // a rank the 2-node task does not have, as text and as an event stream
        given().auth().oauth2(alice).get(path + "?node=2").then().statusCode(422)
                .contentType("application/problem+json").body("errors[0].field", equalTo("node"));
        given().auth().oauth2(alice).accept("text/event-stream").get(path + "?node=99").then().statusCode(422)
                .contentType("application/problem+json");

        try (JdkSocketClient ws = JdkSocketClient.connect(base, path + "?node=0&tail=10", alice, true)) {
            await().atMost(WAIT).until(() -> ws.lines().size() == 3);
            await().atMost(WAIT).until(() -> hub.subscriptions() >= 1);
            publish(kafka, new LogLine(taskId, 1, 3, Instant.now(), LogStream.STDOUT, "one-3"));
            publish(kafka, new LogLine(taskId, 0, 3, Instant.now(), LogStream.STDOUT, "zero-3"));
            await().atMost(WAIT).until(() -> ws.lines().size() == 4);
            assertThat(ws.lines()).extracting(m -> m.getString("text"))
                    .containsExactly("zero-0", "zero-1", "zero-2", "zero-3");
        }

        List<String> listed = given().auth().oauth2(alice).get("/v1/logs/tasks").then().statusCode(200)
                .extract().jsonPath().getList("task_id", String.class);
        assertThat(listed).contains(taskId).doesNotContain(foreign);
        // admin is scoped: an admin of no project lists nothing, one of alice's project lists what alice does
        List<String> forAdmin = given().auth().oauth2(DevJwt.shared().adminToken("root", List.of()))
                .get("/v1/logs/tasks").then().statusCode(200).extract().jsonPath().getList("task_id", String.class);
        assertThat(forAdmin).doesNotContain(taskId, foreign);
        List<String> forProjectAdmin = given().auth().oauth2(DevJwt.shared().adminToken("root", List.of(PROJECT)))
                .get("/v1/logs/tasks").then().statusCode(200).extract().jsonPath().getList("task_id", String.class);
        assertThat(forProjectAdmin).contains(taskId).doesNotContain(foreign);
        given().get("/v1/logs/tasks").then().statusCode(401);
    }

    private static JsonObject last(JdkSocketClient client) {
        List<JsonObject> lines = client.lines();
        return lines.isEmpty() ? new JsonObject().put("seq", -1L) : lines.getLast();
    }

    /** {@code count} lines of {@code size} characters from seq {@code from}, in one batch of records. */
    private void publishLines(String taskId, int node, int from, int count, int size) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int seq = from; seq < from + count; seq++) {
            String text = "line-" + seq;
            if (text.length() < size) {
                text = text + " " + "x".repeat(size - text.length() - 1);
            }
            records.add(CloudEventRecords.toProducerRecord(Topics.TASK_LOGS,
                    new LogLine(taskId, node, seq, Instant.now(), LogStream.STDOUT, text), "/flow/test",
                    UUID.randomUUID().toString()));
        }
        kafka.produce(String.class, byte[].class).fromRecords(records).awaitCompletion(Duration.ofSeconds(60));
    }
}
