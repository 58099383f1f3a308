package dev.flow.logs;

import static dev.flow.logs.TestSupport.newTaskId;
import static dev.flow.logs.TestSupport.publish;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.logs.service.LiveLogHub;
import dev.flow.logs.service.ViewMessage;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.LogStream;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The live-log consumer in readiness: UP while it polls; when it dies (here its consumer is closed under it, on its
 * own thread, so its next poll fails as in production) {@code /q/health/ready} is 503 with the reason, and UP again
 * once the loop restarted by itself; a viewer that followed across the outage gets the line published meanwhile.
 * A loop that stops polling (here it sleeps, as a stuck call would) is DOWN past the bound, UP once it polls again.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(PlatformKeyResource.class)
class LiveLogReadinessTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CHECK = "checks.find { it.name == 'live-logs' }";

    @Inject
    LiveLogHub hub;

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Test
    void aDeadLiveConsumerMakesTheReplicaUnreadyUntilItRestarts() throws InterruptedException {
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body(CHECK + ".status", equalTo("UP")));
        long restartsBefore = hub.health().restarts();
        String taskId = newTaskId();
        try (LiveLogHub.Subscription following = hub.subscribe(taskId)) {
            hub.closeConsumerForTest();

            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                    given().get("/q/health/ready").then().statusCode(503)
                            .body(CHECK + ".status", equalTo("DOWN"))
                            .body(CHECK + ".data.reason", containsString("the live-log consumer died"))
                            .body(CHECK + ".data.reason", containsString("closed")));
            // published while the consumer is dead
            publish(kafka, new LogLine(taskId, 0, 1, Instant.now(), LogStream.STDOUT, "during the outage"));

            await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                    .body(CHECK + ".status", equalTo("UP"))
                    .body(CHECK + ".data.restarts", greaterThanOrEqualTo((int) restartsBefore + 1)));

            List<String> texts = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (texts.isEmpty() && System.nanoTime() < deadline) {
                following.take(10, Duration.ofSeconds(1)).forEach(line -> texts.add(line.entry().line().text()));
            }
            assertThat(following.overflowed()).isFalse();
            assertThat(texts).containsExactly("during the outage");
        }
    }

    @Test
    void aStuckLiveConsumerMakesTheReplicaUnreadyUntilItPollsAgain() {
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body(CHECK + ".status", equalTo("UP")));
        // longer than the test profile's max-poll-gap (5 s)
        hub.stallConsumerForTest(Duration.ofSeconds(12));

        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(503)
                        .body(CHECK + ".status", equalTo("DOWN"))
                        .body(CHECK + ".data.reason", containsString("the live-log consumer is stuck: no poll for"))
                        .body(CHECK + ".data.seconds_since_poll", greaterThanOrEqualTo(5)));
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body(CHECK + ".status", equalTo("UP")));
    }
}
