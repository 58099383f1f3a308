package dev.flow.logs;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.logs.service.LogViews;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.LogStream;
import dev.flow.model.status.TaskStatus;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.flow.logs.TestSupport.newTaskId;
import static dev.flow.logs.TestSupport.publish;
import static dev.flow.logs.TestSupport.status;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /v1/tasks/{id}/logs} as {@code text/event-stream}: the WebSocket's view over Server-Sent Events, read by
 * a real HTTP client. The test plays the poller (status event) and the collector (log lines) on real Kafka.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(PlatformKeyResource.class)
class LogEventStreamTest {

    private static final String PROJECT = "flow-dev";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Inject
    Vertx vertx;

    @Inject
    LogViews views;

    @TestHTTPResource("/")
    URI base;

    private final String alice = DevJwt.shared().token("alice", List.of(PROJECT));

    @Test
    void streamsTheLinesAsEventsResumesFromLastEventIdAndFollows() throws Exception {
        String taskId = newTaskId();
        String path = "/v1/tasks/" + taskId + "/logs";
        publish(kafka, status(taskId, PROJECT, null, TaskStatus.RUNNING, List.of()));
        for (int i = 1; i <= 3; i++) {
            publish(kafka, new LogLine(taskId, 0, i - 1, Instant.now(), LogStream.STDOUT, "l" + i));
        }
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice).get(path)
                .then().statusCode(200).body(org.hamcrest.Matchers.endsWith("] l3\n")));

        // follow=false&tail=2: two events, each with the line's token as id and the WebSocket's JSON as data
        List<LogEventStreamClient.Event> tail;
        try (LogEventStreamClient sse = LogEventStreamClient.open(base, path + "?follow=false&tail=2", alice, null)) {
            assertThat(sse.response.statusCode()).isEqualTo(200);
            assertThat(sse.response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/event-stream").doesNotContain("qs"));
            await().atMost(WAIT).untilTrue(sse.ended);
            tail = List.copyOf(sse.events);
        }
        assertThat(tail).extracting(e -> e.data().getString("text")).containsExactly("l2", "l3");
        assertThat(tail).allSatisfy(e -> {
            assertThat(e.id()).matches("\\d+").isEqualTo(e.data().getString("token"));
            assertThat(e.data().getString("task_id")).isEqualTo(taskId);
            assertThat(e.data().getInteger("node")).isZero();
            assertThat(e.data().getString("stream")).isEqualTo("stdout");
        });
        assertThat(tail.get(0).data().getLong("seq")).isEqualTo(1L);
        assertThat(Long.parseLong(tail.get(1).id())).isGreaterThan(Long.parseLong(tail.get(0).id()));
        try (LogSocketClient ws = LogSocketClient.connect(vertx, base, path + "?follow=false&tail=2", alice)) {
            await().atMost(WAIT).untilTrue(ws.closed);
            assertThat(ws.messages).containsExactlyElementsOf(tail.stream().map(LogEventStreamClient.Event::data).toList());
        }

        // follow (the default): the tail, then a line published later; the stream stays open until the client leaves
        await().atMost(WAIT).until(() -> views.openViews() == 0); // the views above have ended
        try (LogEventStreamClient sse = LogEventStreamClient.open(base, path + "?tail=1", alice, null)) {
            await().atMost(WAIT).until(() -> sse.events.size() == 1);
            publish(kafka, new LogLine(taskId, 0, 3, Instant.now(), LogStream.STDERR, "l4"));
            await().atMost(WAIT).until(() -> sse.events.size() == 2);
            assertThat(sse.texts()).containsExactly("l3", "l4");
            assertThat(sse.events.get(1).data().getString("stream")).isEqualTo("stderr");
            assertThat(sse.ended).isFalse();
            assertThat(views.openViews()).isEqualTo(1);
        }
        await().atMost(WAIT).until(() -> views.openViews() == 0); // its Kafka consumer is closed

        // Last-Event-ID resumes right after that line (no duplicate, no gap), whatever tail/after say
        String l3 = tail.get(1).id();
        try (LogEventStreamClient sse = LogEventStreamClient.open(base,
                path + "?follow=false&tail=0&after=" + l3, alice, tail.get(0).id())) {
            await().atMost(WAIT).untilTrue(sse.ended);
            assertThat(sse.texts()).containsExactly("l3", "l4");
            assertThat(sse.events.getFirst().id()).isEqualTo(l3);
        }

        // the task ends: a following stream sends what is left, then an end event, and the server ends the stream
        try (LogEventStreamClient sse = LogEventStreamClient.open(base, path + "?tail=1", alice, null)) {
            await().atMost(WAIT).until(() -> sse.events.size() == 1);
            publish(kafka, status(taskId, PROJECT, TaskStatus.RUNNING, TaskStatus.COMPLETED, List.of()));
            await().atMost(WAIT).untilTrue(sse.ended);
            assertThat(sse.events).hasSize(2);
            assertThat(sse.events.getFirst().data().getString("text")).isEqualTo("l4");
            JsonObject end = sse.events.getLast().data();
            assertThat(end.getString("type")).isEqualTo("end");
            assertThat(end.getString("task_id")).isEqualTo(taskId);
            assertThat(end.getString("status")).isEqualTo("completed");
        }
        await().atMost(WAIT).until(() -> views.openViews() == 0);
    }

    @Test
    void refusalsComeBeforeAnyEvent() throws Exception {
        String taskId = newTaskId();
        String path = "/v1/tasks/" + taskId + "/logs?follow=false";
        publish(kafka, status(taskId, PROJECT, null, TaskStatus.PENDING, List.of()));
        publish(kafka, new LogLine(taskId, 0, 0, Instant.now(), LogStream.STDOUT, "only for flow-dev"));
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice).get(path)
                .then().statusCode(200).body(org.hamcrest.Matchers.containsString("only for flow-dev")));

        String stranger = DevJwt.shared().token("mallory", List.of("flow-other"));
        assertRefused(path, null, null, 401);
        assertRefused(path, "not-a-jwt", null, 401);
        assertRefused(path, stranger, null, 404);
        assertRefused("/v1/tasks/" + newTaskId() + "/logs", alice, null, 404);
        assertRefused(path + "&tail=-1", alice, null, 422); // the REST API's answer to invalid parameters
        assertRefused(path, alice, "not-a-token", 422);
    }

    private void assertRefused(String path, String bearer, String lastEventId, int status) throws Exception {
        try (LogEventStreamClient sse = LogEventStreamClient.open(base, path, bearer, lastEventId)) {
            assertThat(sse.response.statusCode()).isEqualTo(status);
            await().atMost(WAIT).untilTrue(sse.ended);
            assertThat(sse.events).isEmpty();
        }
    }
}
