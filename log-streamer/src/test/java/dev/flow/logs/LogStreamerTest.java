package dev.flow.logs;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.logs.service.LogCollector;
import dev.flow.service.ssh.NodeShell;
import dev.flow.service.ssh.SshConnector;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Instance;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.LogStream;
import dev.flow.model.event.Topics;
import dev.flow.model.event.WorkloadExited;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.flow.logs.TestSupport.eventsOf;
import static dev.flow.logs.TestSupport.infos;
import static dev.flow.logs.TestSupport.newTaskId;
import static dev.flow.logs.TestSupport.publish;
import static dev.flow.logs.TestSupport.runningBid;
import static dev.flow.logs.TestSupport.snapshot;
import static dev.flow.logs.TestSupport.status;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * The log streamer against real Kafka and the emulator over real SSH: the test plays submitter (places the bid with
 * the platform key) and poller (publishes the status events).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(PlatformKeyResource.class)
class LogStreamerTest {

    private static final String PROJECT = "flow-dev";
    private static final String SCRIPT = "for i in 1 2 3; do echo line-$i; sleep 0.2; done; exit 3";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Inject
    MithrilClient mithril;

    @Inject
    Vertx vertx;

    @Inject
    LogCollector collector;

    @Inject
    SshConnector ssh;

    @TestHTTPResource("/")
    URI base;

    private ConsumerTask<String, byte[]> logs;
    private ConsumerTask<String, byte[]> lifecycle;
    private final String alice = DevJwt.shared().token("alice", List.of(PROJECT));

    @BeforeEach
    void consume() {
        logs = kafka.consume(String.class, byte[].class).fromTopics(Topics.TASK_LOGS);
        lifecycle = kafka.consume(String.class, byte[].class).fromTopics(Topics.TASK_LIFECYCLE);
    }

    @AfterEach
    void stopConsuming() {
        logs.stop();
        lifecycle.stop();
    }

    @Test
    void tailsTheWorkloadReportsItsExitAndServesTheLinesFromKafka() throws Exception {
        String taskId = newTaskId();
        List<Instance> instances = runningBid(mithril, taskId, SCRIPT, 1);
        publish(kafka, status(taskId, PROJECT, TaskStatus.PENDING, TaskStatus.RUNNING, infos(instances)));

        List<LogLine> lines = await().atMost(WAIT).until(() -> eventsOf(logs, taskId, LogLine.class), l -> l.size() >= 3);
        assertThat(lines).extracting(LogLine::text).containsExactly("line-1", "line-2", "line-3");
        assertThat(lines).extracting(LogLine::seq).containsExactly(0L, 1L, 2L);
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.node()).isZero();
            assertThat(l.stream()).isEqualTo(LogStream.STDOUT);
        });
        assertThat(lines.get(0).ts()).isBeforeOrEqualTo(lines.get(1).ts());

        WorkloadExited exited = await().atMost(WAIT)
                .until(() -> eventsOf(lifecycle, taskId, WorkloadExited.class), l -> !l.isEmpty()).getFirst();
        assertThat(exited.exitCode()).isEqualTo(3);
        assertThat(exited.node()).isZero();
        assertThat(eventsOf(logs, taskId, LogLine.class)).hasSize(3); // every line was acknowledged before the exit

        // tail=2, follow=false: the last two lines, then the server closes
        try (LogSocketClient ws = LogSocketClient.connect(vertx, base,
                "/v1/tasks/" + taskId + "/logs?tail=2&follow=false", alice)) {
            await().atMost(WAIT).untilTrue(ws.closed);
            assertThat(ws.texts()).containsExactly("line-2", "line-3");
            JsonObject first = ws.messages.getFirst();
            assertThat(first.getString("task_id")).isEqualTo(taskId);
            assertThat(first.getInteger("node")).isZero();
            assertThat(first.getLong("seq")).isEqualTo(1L);
            assertThat(first.getString("stream")).isEqualTo("stdout");
            assertThat(Instant.parse(first.getString("ts"))).isEqualTo(lines.get(1).ts());
            assertThat(first.getString("token")).isNotBlank();
        }

        // plain text for curl
        given().auth().oauth2(alice).queryParam("tail", 2).get("/v1/tasks/{id}/logs", taskId)
                .then().statusCode(200).contentType("text/plain")
                .body(equalTo(lines.get(1).ts() + " [node 0] line-2\n" + lines.get(2).ts() + " [node 0] line-3\n"));

        // follow=true: the tail, then a line published later
        String line2Token;
        try (LogSocketClient ws = LogSocketClient.connect(vertx, base,
                "/v1/tasks/" + taskId + "/logs?tail=2", alice)) {
            await().atMost(WAIT).until(() -> ws.messages.size() == 2);
            line2Token = ws.messages.getFirst().getString("token");
            publish(kafka, new LogLine(taskId, 0, 3, Instant.now(), LogStream.STDERR, "later"));
            await().atMost(WAIT).until(() -> ws.texts().contains("later"));
            assertThat(ws.texts()).containsExactly("line-2", "line-3", "later");
            assertThat(ws.messages.get(2).getString("stream")).isEqualTo("stderr");
            assertThat(ws.closed).isFalse();
        }

        // after=<token>: exactly what followed that line
        try (LogSocketClient ws = LogSocketClient.connect(vertx, base,
                "/v1/tasks/" + taskId + "/logs?follow=false&after=" + line2Token, alice)) {
            await().atMost(WAIT).untilTrue(ws.closed);
            assertThat(ws.texts()).containsExactly("line-3", "later");
        }

        // the task finishes: its tails stop, its logs stay readable, and a follow that was open ends by itself with
        // an end message and a normal close, on a plain JDK client that knows nothing of the platform
        try (JdkSocketClient following = JdkSocketClient.connect(base, "/v1/tasks/" + taskId + "/logs?tail=10",
                alice, true)) {
            await().atMost(WAIT).until(() -> following.lines().size() == 4);
            assertThat(following.closed).isFalse();
            publish(kafka, new TaskStatusChanged(taskId, PROJECT, TaskStatus.RUNNING, TaskStatus.FAILED,
                    TransitionReason.workloadExit(3), Instant.now(), Instant.now(), infos(instances), null, 1, null,
                    null, null, 0, null));
            await().atMost(WAIT).untilTrue(following.closed);
            assertThat(following.closeCode.get()).isEqualTo(1000);
            assertThat(following.lines()).extracting(m -> m.getString("text"))
                    .containsExactly("line-1", "line-2", "line-3", "later");
            JsonObject end = following.messages.getLast();
            assertThat(end.getString("type")).isEqualTo("end");
            assertThat(end.getString("task_id")).isEqualTo(taskId);
            assertThat(end.getString("status")).isEqualTo("failed");
            assertThat(end.getString("reason")).isEqualTo("WORKLOAD_EXIT(3)");
        }
        await().atMost(WAIT).until(() -> collector.tailedNodes(taskId).isEmpty());
        given().auth().oauth2(alice).queryParam("tail", 1).get("/v1/tasks/{id}/logs", taskId)
                .then().statusCode(200).body(org.hamcrest.Matchers.endsWith(" [node 0] later\n"));
        // a follow opened after the end gets the lines, then the end, then the close
        try (JdkSocketClient late = JdkSocketClient.connect(base, "/v1/tasks/" + taskId + "/logs?tail=1",
                alice, true)) {
            await().atMost(WAIT).untilTrue(late.closed);
            assertThat(late.closeCode.get()).isEqualTo(1000);
            assertThat(late.lines()).extracting(m -> m.getString("text")).containsExactly("later");
            assertThat(late.messages.getLast().getString("type")).isEqualTo("end");
        }
    }

    @Test
    void linesOfEachNodeAreTaggedAndTheFirstFailingNodeDecidesTheExit() {
        String taskId = newTaskId();
        // node 0 succeeds, node 1 fails: the task's workload failed, with node 1's code
        List<Instance> instances = runningBid(mithril, taskId,
                "echo hello-from-$FLOW_NODE_RANK; exit $((FLOW_NODE_RANK * 5))", 2);
        publish(kafka, status(taskId, PROJECT, TaskStatus.PENDING, TaskStatus.RUNNING, infos(instances)));

        List<LogLine> lines = await().atMost(WAIT).until(() -> eventsOf(logs, taskId, LogLine.class), l -> l.size() >= 2);
        assertThat(lines).extracting(l -> l.node() + ":" + l.seq() + ":" + l.text())
                .containsExactlyInAnyOrder("0:0:hello-from-0", "1:0:hello-from-1");

        WorkloadExited exited = await().atMost(WAIT)
                .until(() -> eventsOf(lifecycle, taskId, WorkloadExited.class), l -> !l.isEmpty()).getFirst();
        assertThat(exited.exitCode()).isEqualTo(5);
        assertThat(exited.node()).isEqualTo(1);
        await().atMost(WAIT).until(() -> collector.tailedNodes(taskId).isEmpty());
        assertThat(eventsOf(lifecycle, taskId, WorkloadExited.class)).hasSize(1);
    }

    @Test
    void aDroppedSessionReconnectsAndATaskThatLeavesRunningResumesWithoutDuplicatesOrGaps() throws Exception {
        String taskId = newTaskId();
        List<Instance> instances = runningBid(mithril, taskId, "echo a; echo b; while [ ! -f go ]; do sleep 0.1; done; "
                + "echo c; while [ ! -f go2 ]; do sleep 0.1; done; echo d; exit 0", 1);
        List<InstanceInfo> infos = infos(instances);
        InstanceInfo node = infos.getFirst();
        publish(kafka, status(taskId, PROJECT, TaskStatus.PENDING, TaskStatus.RUNNING, infos));
        await().atMost(WAIT).until(() -> eventsOf(logs, taskId, LogLine.class).size() == 2);

        // the connection drops: the tail reconnects, replays the log and skips what it published
        int before = collector.sessionsOpened(taskId);
        collector.reconnect(taskId);
        await().atMost(WAIT).until(() -> collector.sessionsOpened(taskId) > before);

        // the task leaves running: its tails stop; the workload goes on meanwhile
        publish(kafka, status(taskId, PROJECT, TaskStatus.RUNNING, TaskStatus.PREEMPTING, infos));
        await().atMost(WAIT).until(() -> collector.tailedNodes(taskId).isEmpty());
        exec(node, "touch go");
        publish(kafka, status(taskId, PROJECT, TaskStatus.PREEMPTING, TaskStatus.RUNNING, infos));
        await().atMost(WAIT).until(() -> eventsOf(logs, taskId, LogLine.class).size() == 3);

        // a rebalance moves the task away (its tails stop, its state is forgotten) and back: the new owner learns
        // of it from its snapshot on flow.task.state and recovers what was published from flow.task.logs
        collector.release(IntStream.range(0, 16).boxed().flatMap(p -> Stream.of(
                new TopicPartition(Topics.TASK_STATUS, p), new TopicPartition(Topics.TASK_STATE, p))).toList());
        await().atMost(WAIT).until(() -> collector.sessionsOpened(taskId) == 0);
        exec(node, "touch go2");
        publish(kafka, snapshot(taskId, PROJECT, TaskStatus.RUNNING, infos));

        WorkloadExited exited = await().atMost(WAIT)
                .until(() -> eventsOf(lifecycle, taskId, WorkloadExited.class), l -> !l.isEmpty()).getFirst();
        assertThat(exited.exitCode()).isZero();
        // the last line is in Kafka before the exit is published, but this test reads the two topics with two
        // consumers: the log consumer may see it a poll later
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventsOf(logs, taskId, LogLine.class))
                .extracting(l -> l.seq() + ":" + l.text()).containsExactly("0:a", "1:b", "2:c", "3:d"));
    }

    private void exec(InstanceInfo node, String command) throws Exception {
        try (NodeShell shell = ssh.open(node.sshHost(), node.sshPort())) {
            assertThat(shell.exec(command).exitCode()).isZero();
        }
    }

    @Test
    void kafkaChannelsArePartOfReadinessWhichNeedsNoToken() {
        // the live-log consumer is part of readiness too: DOWN until it follows the topic, shortly after startup
        await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name.contains('Reactive Messaging') }.data.'task-logs'", equalTo("[OK]"))
                .body("checks.find { it.name.contains('Reactive Messaging') }.data.'task-status'", equalTo("[OK]"))
                .body("checks.find { it.name == 'live-logs' }.status", equalTo("UP")));
    }

    @Test
    void viewersMustBeAuthenticatedAndMaySeeOnlyTheirProjectsTasks() throws Exception {
        String taskId = newTaskId();
        publish(kafka, status(taskId, PROJECT, null, TaskStatus.PENDING, List.of()));
        publish(kafka, new LogLine(taskId, 0, 0, Instant.now(), LogStream.STDOUT, "secret-ish output"));
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice).get("/v1/tasks/{id}/logs", taskId)
                .then().statusCode(200).body(org.hamcrest.Matchers.containsString("secret-ish output")));

        String path = "/v1/tasks/" + taskId + "/logs?follow=false";
        String stranger = DevJwt.shared().token("mallory", List.of("flow-other"));
        String expired = DevJwt.shared().token("alice", List.of(PROJECT), Set.of(), Duration.ofSeconds(-60));

        assertThat(rejection(path, null)).isEqualTo(401);
        assertThat(rejection(path, "not-a-jwt")).isEqualTo(401);
        assertThat(rejection(path, expired)).isEqualTo(401);
        assertThat(rejection(path, stranger)).isEqualTo(404);
        assertThat(rejection("/v1/tasks/" + newTaskId() + "/logs", alice)).isEqualTo(404);
        assertThat(rejection(path + "&tail=-1", alice)).isEqualTo(400);
        given().auth().oauth2(stranger).get("/v1/tasks/{id}/logs", taskId).then().statusCode(404);
        given().get("/v1/tasks/{id}/logs", taskId).then().statusCode(401);

        // the URL never carries a token (LogIsolationTest covers the subprotocol browsers use instead)
        assertThat(rejection(path + "&access_token=" + alice, null)).isEqualTo(400);
        // admin is scoped to the token's projects: an admin of another project sees nothing of this one
        String admin = DevJwt.shared().adminToken("root", List.of("flow-other"));
        assertThat(rejection(path, admin)).isEqualTo(404);
    }

    private int rejection(String path, String bearer) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> LogSocketClient.connect(vertx, base, path, bearer).close());
        assertThat(thrown).isInstanceOf(UpgradeRejectedException.class);
        return ((UpgradeRejectedException) thrown).getStatus();
    }
}
