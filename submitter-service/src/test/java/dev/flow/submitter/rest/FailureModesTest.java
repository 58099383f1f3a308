package dev.flow.submitter.rest;

import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidQuery;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.model.event.Topics;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.service.FaultHooks;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.flow.submitter.SubmitterTestSupport.PROJECT;
import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.bidCreations;
import static dev.flow.submitter.SubmitterTestSupport.bidOf;
import static dev.flow.submitter.SubmitterTestSupport.mithril;
import static dev.flow.submitter.SubmitterTestSupport.projectFid;
import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

/**
 * What goes wrong: a crash between the bid and its record, quota exhaustion, Mithril failing, and every error class
 * of the seed the submitter can answer with (type, title, field, reason, suggestions).
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class FailureModesTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String TYPES = "https://flow.dev/errors/";

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @InjectMithrilEmulator
    MithrilEmulator emulator;

    @Inject
    FaultHooks faults;

    @Inject
    io.vertx.mutiny.sqlclient.Pool database;

    ConsumerTask<String, byte[]> lifecycle;

    @BeforeEach
    void followLifecycle() {
        lifecycle = kafka.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("test-" + UUID.randomUUID()).withOffsetReset(OffsetResetStrategy.EARLIEST)
                .fromTopics(Topics.TASK_LIFECYCLE);
    }

    @AfterEach
    void cleanUp() {
        lifecycle.stop();
        emulator.clearFaults();
    }

    @Test
    void aCrashBetweenTheBidAndItsRecordIsRecoveredByTheReconcilerWithOneBidAndOneTask() {
        String name = uniqueName("crash");
        String key = "crash-" + UUID.randomUUID();
        String body = "{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\", "
                .formatted(name) + "\"max_price_per_hour\": 0.01}";
        long before = bidCreations(emulator);
        faults.crashAfterBidPlaced(name);
        asAlice().header("Idempotency-Key", key).contentType("application/json").body(body).post("/v1/tasks")
                .then().statusCode(500).contentType("application/problem+json");

        // the row exists with the key, the bid exists at Mithril, nothing records the one in the other
        String taskId = asAlice().queryParam("name", name).get("/v1/tasks").then().statusCode(200)
                .body("data.size()", equalTo(1)).body("data[0].bid_fid", equalTo(null))
                .extract().path("data[0].task_id");
        Bid bid = bidOf(taskId).orElseThrow();
        assertThat(bidCreations(emulator)).isEqualTo(before + 1);

        // the client retries with its key: the same task, no second bid
        asAlice().header("Idempotency-Key", key).contentType("application/json").body(body).post("/v1/tasks")
                .then().statusCode(200).body("task_id", equalTo(taskId));
        assertThat(bidCreations(emulator)).isEqualTo(before + 1);

        // the service "restarts" later: the row is past the reconciler's grace, which adopts the bid by its name
        database.preparedQuery("UPDATE submitter.task SET created_at = created_at - interval '1 hour' WHERE id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(taskId)).await().atMost(WAIT);
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/tasks/" + taskId).then().statusCode(200)
                .body("bid_fid", equalTo(bid.fid())).body("status", equalTo("pending")));
        await().atMost(WAIT).until(() -> ours(taskId).size() >= 2);
        assertThat(ours(taskId)).extracting(r -> CloudEventRecords.headersOf(r).get("ce_type"))
                .containsExactly("dev.flow.task.submitted.v1", "dev.flow.task.bid.placed.v1");

        // one task, one live bid, one bid ever placed under the name: no orphan, no double billing
        asAlice().queryParam("name", name).get("/v1/tasks").then().body("data.size()", equalTo(1));
        List<Bid> named = mithril().listBidsPage(BidQuery.inProject(projectFid(PROJECT)).withName(bid.name()))
                .await().atMost(WAIT).data();
        assertThat(named).extracting(Bid::fid).containsExactly(bid.fid());
        assertThat(bidCreations(emulator)).isEqualTo(before + 1);
        // and it is a normal task from now on: a cancel reaches the adopted bid
        asAlice().delete("/v1/tasks/" + taskId).then().statusCode(202);
        await().atMost(WAIT).until(() -> mithril().getBid(bid.fid()).await().atMost(WAIT).status()
                == BidStatus.TERMINATED);
    }

    @Test
    void aBidThatAppearsAfterItsTaskFailedIsCancelledByTheOrphanStop() {
        String name = uniqueName("late");
        faults.crashAfterBidPlaced(name);
        // with a key, the row is written before the bid (without one it would not exist: see the next test)
        asAlice().header("Idempotency-Key", "late-" + UUID.randomUUID()).contentType("application/json").body("{\"name\": \"%s\", \"instance_type\": \"a100\", "
                .formatted(name) + "\"command\": \"sleep 60\", \"max_price_per_hour\": 0.01}").post("/v1/tasks")
                .then().statusCode(500);
        String taskId = asAlice().queryParam("name", name).get("/v1/tasks").then().extract().path("data[0].task_id");
        Bid bid = bidOf(taskId).orElseThrow();
        // as the reconciler leaves a submission whose bid it could not see (Mithril answered later): failed, no bid
        database.preparedQuery("UPDATE submitter.task SET status = 'failed', reason = 'PROVIDER_ERROR', "
                + "completed_at = now() WHERE id = $1").execute(io.vertx.mutiny.sqlclient.Tuple.of(taskId))
                .await().atMost(WAIT);
        // the poller sees flow-<id> with no live task and asks for it to be stopped
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(dev.flow.submitter.SubmitterTestSupport.record(
                Topics.TASK_COMMANDS, new dev.flow.model.event.StopTask(taskId,
                        dev.flow.model.status.TransitionReason.ORPHAN, "status-poller", java.time.Instant.now())))
                .awaitCompletion();
        await().atMost(WAIT).until(() -> mithril().getBid(bid.fid()).await().atMost(WAIT).status()
                == BidStatus.TERMINATED);
        asAlice().get("/v1/tasks/" + taskId).then().body("status", equalTo("failed"));
    }

    @Test
    void aCrashBetweenTheBidAndTheOneTransactionOfASubmitWithoutAKeyLeavesAnOrphanBidThatTheOrphanStopCancels() {
        String name = uniqueName("orphan");
        String project = projectFid(PROJECT);
        java.util.Set<String> bidsBefore = bidNames(project);
        long before = bidCreations(emulator);
        faults.crashAfterBidPlaced(name);
        asAlice().contentType("application/json").body("{\"name\": \"%s\", \"instance_type\": \"a100\", "
                .formatted(name) + "\"command\": \"sleep 60\", \"max_price_per_hour\": 0.01}").post("/v1/tasks")
                .then().statusCode(500).contentType("application/problem+json");

        // the task row and its events are written in one transaction after the bid: none of it exists
        asAlice().queryParam("name", name).get("/v1/tasks").then().statusCode(200).body("data.size()", equalTo(0));
        assertThat(bidCreations(emulator)).isEqualTo(before + 1);
        java.util.Set<String> bidsAfter = bidNames(project);
        bidsAfter.removeAll(bidsBefore);
        assertThat(bidsAfter).singleElement().asString().startsWith("flow-");
        String bidName = bidsAfter.iterator().next();
        String taskId = bidName.substring("flow-".length());
        Bid bid = bidOf(taskId).orElseThrow();

        // the poller sees flow-<id> with no task behind it and asks for it to be stopped: the bid is cancelled
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(dev.flow.submitter.SubmitterTestSupport.record(
                Topics.TASK_COMMANDS, new dev.flow.model.event.StopTask(taskId,
                        dev.flow.model.status.TransitionReason.ORPHAN, "status-poller", java.time.Instant.now())))
                .awaitCompletion();
        await().atMost(WAIT).until(() -> mithril().getBid(bid.fid()).await().atMost(WAIT).status()
                == BidStatus.TERMINATED);
        asAlice().get("/v1/tasks/" + taskId).then().statusCode(404);
    }

    /** The names of the project's live bids. */
    private static java.util.Set<String> bidNames(String projectFid) {
        return new java.util.HashSet<>(mithril().listBids(BidQuery.inProject(projectFid).withLimit(100))
                .filter(b -> b.status() != BidStatus.TERMINATED).map(Bid::name)
                .collect().asList().await().atMost(WAIT));
    }

    @Test
    void concurrentRequestsWithOneIdempotencyKeyCreateOneTaskAndOneBid() throws Exception {
        String name = uniqueName("race");
        String key = "race-" + UUID.randomUUID();
        String body = "{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\", "
                .formatted(name) + "\"max_price_per_hour\": 0.01}";
        long before = bidCreations(emulator);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<io.restassured.response.Response>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(pool.submit(() -> asAlice().header("Idempotency-Key", key).contentType("application/json")
                        .body(body).post("/v1/tasks")));
            }
            List<io.restassured.response.Response> responses = new java.util.ArrayList<>();
            for (var answer : answers) {
                responses.add(answer.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            // one created it, the others got that task back (or waited for it): never a second task or bid
            assertThat(responses).extracting(io.restassured.response.Response::statusCode).containsOnly(200, 201)
                    .filteredOn(code -> code == 201).hasSize(1);
            assertThat(responses).extracting(r -> r.jsonPath().getString("task_id")).containsOnly(
                    responses.getFirst().jsonPath().getString("task_id"));
        } finally {
            pool.shutdownNow();
        }
        asAlice().queryParam("name", name).get("/v1/tasks").then().body("data.size()", equalTo(1));
        assertThat(bidCreations(emulator)).isEqualTo(before + 1);
    }

    @Test
    void aTaskBeyondTheProjectsSpotQuotaIsAnInsufficientQuotaErrorBeforeAndWhilePlacingTheBid() {
        emulator.admin("PUT", "/_emulator/quotas",
                "{\"project\": \"flow-dev\", \"instance_type\": \"a100-80gb.sxm.8x\", \"total_quantity\": 1}");
        try {
            String name = uniqueName("quota");
            String body = "{\"name\": \"%s\", \"instance_type\": \"8xa100\", \"num_instances\": 2, "
                    .formatted(name) + "\"command\": \"sleep 60\", \"max_price_per_hour\": 0.01}";
            long before = bidCreations(emulator);
            // before: the submitter reads /v2/quotas and refuses; nothing written, nothing placed
            asAlice().contentType("application/json").body(body).post("/v1/tasks").then().statusCode(409)
                    .contentType("application/problem+json")
                    .body("type", equalTo(TYPES + "InsufficientQuotaError"))
                    .body("title", equalTo("InsufficientQuotaError"))
                    .body("detail", containsString("a100-80gb.sxm.8x"))
                    .body("suggestions", hasItem("ask for num_instances <= 1"));
            assertThat(bidCreations(emulator)).isEqualTo(before);
            asAlice().queryParam("name", name).get("/v1/tasks").then().body("data.size()", equalTo(0));

            // while: the quota cannot be read, Mithril refuses the bid (its 422 names the quota)
            emulator.fail("GET", "/v2/quotas", 503, null, 20);
            asAlice().contentType("application/json").body(body).post("/v1/tasks").then().statusCode(409)
                    .body("title", equalTo("InsufficientQuotaError"))
                    .body("detail", containsString("quota"))
                    .body("suggestions.size()", org.hamcrest.Matchers.greaterThan(0));
            assertThat(bidCreations(emulator)).isEqualTo(before + 1);
            asAlice().queryParam("name", name).get("/v1/tasks").then()
                    .body("data[0].status", equalTo("failed")).body("data[0].reason", equalTo("PROVIDER_ERROR"));
        } finally {
            emulator.admin("PUT", "/_emulator/quotas",
                    "{\"project\": \"flow-dev\", \"instance_type\": \"a100-80gb.sxm.8x\", \"total_quantity\": null}");
        }
    }

    @Test
    void mithrilServerErrorsAreFlowServiceErrors() {
        String name = uniqueName("down");
        emulator.fail("POST", "/v2/spot/bids", 500, null, 50);
        emulator.fail("GET", "/v2/spot/bids", 500, null, 50);
        asAlice().contentType("application/json")
                .body("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}".formatted(name))
                .post("/v1/tasks").then().statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(500))
                .contentType("application/problem+json")
                .body("type", equalTo(TYPES + "FlowError")).body("title", equalTo("FlowError"))
                .body("detail", containsString("Mithril"))
                .body("suggestions.size()", org.hamcrest.Matchers.greaterThan(0))
                .body(org.hamcrest.Matchers.not(containsString("\tat ")));
        // the task was kept: the bid's fate was unclear, the reconciler settles it
        asAlice().queryParam("name", name).get("/v1/tasks").then().statusCode(200).body("data.size()", equalTo(1));
    }

    @Test
    void eachErrorClassHasItsTypeFieldReasonAndSuggestions() {
        // ValidationError: an unknown instance type names the field and the closest valid names
        asAlice().contentType("application/json").body("{\"instance_type\": \"a1000\", \"command\": \"x\"}")
                .post("/v1/tasks").then().statusCode(422).contentType("application/problem+json")
                .body("type", equalTo(TYPES + "ValidationError")).body("title", equalTo("ValidationError"))
                .body("errors[0].field", equalTo("instance_type"))
                .body("errors[0].reason", notNullValue())
                .body("errors[0].suggestion", containsString("a100"));
        // AuthenticationError: no token, a bad token
        given().get("/v1/tasks").then().statusCode(401).contentType("application/problem+json")
                .body("type", equalTo(TYPES + "AuthenticationError")).body("title", equalTo("AuthenticationError"));
        given().header("Authorization", "Bearer not.a.jwt").get("/v1/tasks/task-0000000000000000").then()
                .statusCode(401).body("title", equalTo("AuthenticationError"));
        // ResourceNotFoundError: an unknown task, an unknown volume to mount
        asAlice().get("/v1/tasks/task-0000000000000000").then().statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo(TYPES + "ResourceNotFoundError")).body("title", equalTo("ResourceNotFoundError"));
        String taskId = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\", "
                .formatted(uniqueName("errs")) + "\"max_price_per_hour\": 0.01}").then().statusCode(201)
                .extract().path("task_id");
        asAlice().contentType("application/json").body("{\"volume\": \"no-such-volume\"}")
                .post("/v1/tasks/" + taskId + "/volumes").then().statusCode(404)
                .body("title", equalTo("ResourceNotFoundError"))
                .body("suggestions[0]", containsString("POST /v1/volumes"));
        // TaskExecutionError: mounting to a task that has ended
        asAlice().delete("/v1/tasks/" + taskId).then().statusCode(202);
        asAlice().contentType("application/json").body("{\"volume\": \"no-such-volume\"}")
                .post("/v1/tasks/" + taskId + "/volumes").then().statusCode(409)
                .body("type", equalTo(TYPES + "TaskExecutionError")).body("title", equalTo("TaskExecutionError"))
                .body("suggestions.size()", equalTo(1));
    }

    private List<ConsumerRecord<String, byte[]>> ours(String taskId) {
        return lifecycle.getRecords().stream().filter(r -> taskId.equals(r.key()))
                .filter(r -> "/flow/submitter-service".equals(CloudEventRecords.headersOf(r).get("ce_source"))).toList();
    }
}
