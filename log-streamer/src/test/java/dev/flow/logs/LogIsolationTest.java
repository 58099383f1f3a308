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
import io.vertx.core.http.UpgradeRejectedException;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static dev.flow.logs.TestSupport.newTaskId;
import static dev.flow.logs.TestSupport.publish;
import static dev.flow.logs.TestSupport.status;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * Issue 13 "Isolation" for the log streamer, over a real WebSocket and real HTTP: admin is scoped to the token's
 * projects, tokens never travel in the URL (the subprotocol carries them for browsers), the audience is checked, and
 * a socket or SSE stream ends when its token expires.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(PlatformKeyResource.class)
class LogIsolationTest {

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

    /** A pending task of {@link #PROJECT} with one line, visible to alice once the directory knows it. */
    private String taskWithALine() {
        String taskId = newTaskId();
        publish(kafka, status(taskId, PROJECT, null, TaskStatus.PENDING, List.of()));
        publish(kafka, new LogLine(taskId, 0, 0, Instant.now(), LogStream.STDOUT, "only-line"));
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice).get("/v1/tasks/{id}/logs", taskId)
                .then().statusCode(200).body(containsString("only-line")));
        return taskId;
    }

    @Test
    void anAdminOfAnotherProjectSeesNothingOfThisOne() throws Exception {
        String taskId = taskWithALine();
        String otherAdmin = DevJwt.shared().adminToken("root", List.of("flow-other"));

        assertThat(rejection("/v1/tasks/" + taskId + "/logs?follow=false", otherAdmin)).isEqualTo(404);
        given().auth().oauth2(otherAdmin).get("/v1/tasks/{id}/logs", taskId).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(otherAdmin).accept("text/event-stream").get("/v1/tasks/{id}/logs", taskId)
                .then().statusCode(404);
        List<String> listed = given().auth().oauth2(otherAdmin).get("/v1/logs/tasks").then().statusCode(200)
                .extract().jsonPath().getList("task_id", String.class);
        assertThat(listed).doesNotContain(taskId);
        // an admin of this project sees it, like any member
        String admin = DevJwt.shared().adminToken("root", List.of(PROJECT));
        try (LogSocketClient ws = LogSocketClient.connect(vertx, base, "/v1/tasks/" + taskId + "/logs?follow=false",
                admin)) {
            await().atMost(WAIT).untilTrue(ws.closed);
            assertThat(ws.texts()).containsExactly("only-line");
        }
    }

    @Test
    void aBrowserSendsItsTokenAsASubprotocolAndTheServerAnswersWithoutIt() throws Exception {
        String taskId = taskWithALine();
        String path = "/v1/tasks/" + taskId + "/logs?follow=false";
        try (LogSocketClient ws = LogSocketClient.connectOffering(vertx, base, path,
                List.of("flow.v1", "bearer." + alice))) {
            assertThat(ws.subprotocol()).isEqualTo("flow.v1");
            await().atMost(WAIT).untilTrue(ws.closed);
            assertThat(ws.texts()).containsExactly("only-line");
        }
        String stranger = DevJwt.shared().token("mallory", List.of("flow-other"));
        assertThat(offeringRejection(path, List.of("flow.v1", "bearer." + stranger))).isEqualTo(404);
        assertThat(offeringRejection(path, List.of("flow.v1", "bearer.not-a-jwt"))).isEqualTo(401);
        assertThat(offeringRejection(path, List.of("flow.v1"))).isEqualTo(401);
        // without flow.v1 the server could select nothing and a browser would fail the handshake: said clearly
        assertThat(offeringRejection(path, List.of("bearer." + alice))).isEqualTo(400);
    }

    @Test
    void aNodeTheTaskDoesNotHaveIsRefusedAtTheUpgradeToo() {
        String taskId = newTaskId();
        publish(kafka, status(taskId, PROJECT, TaskStatus.RUNNING, 2));
        String path = "/v1/tasks/" + taskId + "/logs?follow=false&node=";
        // as plain text and the event stream answer 422: a rank of the 2-node task or all, nothing else
        await().atMost(WAIT).untilAsserted(() -> assertThat(rejection(path + "2", alice)).isEqualTo(400));
        assertThat(rejection(path + "99", alice)).isEqualTo(400);
        // a stranger learns nothing of the task, its node count included
        String stranger = DevJwt.shared().token("mallory", List.of("flow-other"));
        assertThat(rejection(path + "99", stranger)).isEqualTo(404);
    }

    @Test
    void aTokenInTheUrlIsRefusedEvenWhenValid() {
        String taskId = taskWithALine();
        String path = "/v1/tasks/" + taskId + "/logs?follow=false";
        assertThat(rejection(path + "&access_token=" + alice, null)).isEqualTo(400);
        assertThat(rejection(path + "&token=" + alice, null)).isEqualTo(400);
        // even next to a valid header: the URL already leaked it
        assertThat(rejection(path + "&access_token=" + alice, alice)).isEqualTo(400);
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        String taskId = taskWithALine();
        String foreign = DevJwt.shared().token("alice", List.of(PROJECT), Set.of(), Duration.ofHours(1),
                "some-other-service");
        assertThat(rejection("/v1/tasks/" + taskId + "/logs?follow=false", foreign)).isEqualTo(401);
        given().auth().oauth2(foreign).get("/v1/logs/tasks").then().statusCode(401)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(401));
        given().auth().oauth2(foreign).get("/v1/tasks/{id}/logs", taskId).then().statusCode(401);
    }

    @Test
    void aSocketClosesWhenItsTokenExpires() throws Exception {
        String taskId = taskWithALine();
        String path = "/v1/tasks/" + taskId + "/logs?follow=true";
        String shortLived = DevJwt.shared().token("alice", List.of(PROJECT), Set.of(), Duration.ofSeconds(3));
        try (LogSocketClient lasting = LogSocketClient.connect(vertx, base, path, alice);
             LogSocketClient expiring = LogSocketClient.connectOffering(vertx, base, path,
                     List.of("flow.v1", "bearer." + shortLived))) {
            await().atMost(WAIT).until(() -> expiring.texts().contains("only-line"));
            await().atMost(WAIT).untilTrue(expiring.closed);
            assertThat(expiring.closeCode).isEqualTo((short) 1008);
            assertThat(expiring.closeReason).isEqualTo("token expired");
            // the same view with a valid token is still open: it was the token, not the stream, that ended
            assertThat(lasting.closed).isFalse();
            assertThat(lasting.texts()).containsExactly("only-line");
        }
        await().atMost(WAIT).until(() -> views.openViews() == 0); // both views ended, nothing left behind
    }

    @Test
    void anEventStreamEndsWhenItsTokenExpires() throws Exception {
        String taskId = taskWithALine();
        String path = "/v1/tasks/" + taskId + "/logs?follow=true";
        String shortLived = DevJwt.shared().token("alice", List.of(PROJECT), Set.of(), Duration.ofSeconds(3));
        try (LogEventStreamClient lasting = LogEventStreamClient.open(base, path, alice, null);
             LogEventStreamClient expiring = LogEventStreamClient.open(base, path, shortLived, null)) {
            assertThat(expiring.response.statusCode()).isEqualTo(200);
            await().atMost(WAIT).until(() -> expiring.texts().contains("only-line"));
            await().atMost(WAIT).untilTrue(expiring.ended);
            assertThat(lasting.ended).isFalse();
            assertThat(lasting.texts()).contains("only-line");
        }
        await().atMost(WAIT).until(() -> views.openViews() == 0); // both views ended, nothing left behind
    }

    private int rejection(String path, String bearer) {
        Throwable thrown = catchThrowable(() -> LogSocketClient.connect(vertx, base, path, bearer).close());
        assertThat(thrown).isInstanceOf(UpgradeRejectedException.class);
        return ((UpgradeRejectedException) thrown).getStatus();
    }

    private int offeringRejection(String path, List<String> subprotocols) {
        Throwable thrown = catchThrowable(() -> LogSocketClient.connectOffering(vertx, base, path, subprotocols)
                .close());
        assertThat(thrown).isInstanceOf(UpgradeRejectedException.class);
        return ((UpgradeRejectedException) thrown).getStatus();
    }
}
