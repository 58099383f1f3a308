package dev.flow.submitter.rest;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskCostUpdated;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.SubmitterTestSupport;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.asBob;
import static dev.flow.submitter.SubmitterTestSupport.record;
import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** {@code GET /v1/tasks} cursor paging and name filter; {@code total_cost} from the cost-accountant's updates. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TaskListAndCostTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    /** A task whose bid never wins an auction ($0.01): it stays pending and starts no process. */
    static String submitIdle(String name) {
        return submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\", "
                .formatted(name) + "\"max_price_per_hour\": 0.01}").then().statusCode(201).extract().path("task_id");
    }

    @Test
    void pagesAreNewestFirstWithAStableCursorAndNameFilters() {
        String prefix = uniqueName("page");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(submitIdle(prefix + "-" + i));
        }
        JsonPath first = asAlice().queryParam("name", prefix + "*").queryParam("limit", 2).get("/v1/tasks")
                .then().statusCode(200).body("next_cursor", notNullValue()).extract().jsonPath();
        assertThat(first.getList("data.task_id", String.class)).containsExactly(ids.get(4), ids.get(3));

        // a task created while the client pages is newer than every position it holds: no shift, no repeat
        String newer = submitIdle(prefix + "-5");
        JsonPath second = asAlice().queryParam("name", prefix + "*").queryParam("limit", 2)
                .queryParam("cursor", first.getString("next_cursor")).get("/v1/tasks").then().statusCode(200)
                .extract().jsonPath();
        assertThat(second.getList("data.task_id", String.class)).containsExactly(ids.get(2), ids.get(1));
        JsonPath third = asAlice().queryParam("name", prefix + "*").queryParam("limit", 2)
                .queryParam("cursor", second.getString("next_cursor")).get("/v1/tasks").then().statusCode(200)
                .extract().jsonPath();
        assertThat(third.getList("data.task_id", String.class)).containsExactly(ids.get(0));
        assertThat(third.getString("next_cursor")).isNull();
        // the new task leads the first page now
        asAlice().queryParam("name", prefix + "*").queryParam("limit", 1).get("/v1/tasks").then().statusCode(200)
                .body("data.task_id", equalTo(List.of(newer)));

        // exact name; a prefix is literal (no LIKE wildcards from the user)
        asAlice().queryParam("name", prefix + "-3").get("/v1/tasks").then().statusCode(200)
                .body("data.task_id", equalTo(List.of(ids.get(3)))).body("next_cursor", equalTo(null));
        asAlice().queryParam("name", prefix.replace("page", "pag_") + "*").get("/v1/tasks").then().statusCode(200)
                .body("data", equalTo(List.of()));
        asAlice().queryParam("name", prefix + "-3").queryParam("status", "pending").get("/v1/tasks").then()
                .statusCode(200).body("data.size()", equalTo(1));
        // another project's caller sees none of them
        asBob().queryParam("name", prefix + "*").get("/v1/tasks").then().statusCode(200).body("data", equalTo(List.of()));
    }

    /** Issue 13 "Isolation": admin is a tenant role scoped to the token's projects, never a key to every project. */
    @Test
    void anAdminOfAnotherProjectSeesNoneOfThisProjectsTasks() {
        String name = uniqueName("isolated");
        String id = submitIdle(name);
        String otherAdmin = DevJwt.shared().adminToken("root", List.of(SubmitterTestSupport.OTHER_PROJECT));
        given().auth().oauth2(otherAdmin).queryParam("name", name).get("/v1/tasks").then().statusCode(200)
                .body("data", equalTo(List.of()));
        given().auth().oauth2(otherAdmin).get("/v1/tasks/" + id).then().statusCode(404)
                .contentType("application/problem+json");
        // asking for the project by name does not help either
        given().auth().oauth2(otherAdmin).queryParam("project", SubmitterTestSupport.PROJECT).get("/v1/tasks")
                .then().statusCode(422)
                .contentType("application/problem+json");
        asAlice().get("/v1/tasks/" + id).then().statusCode(200);
    }

    @Test
    void aTokenForAnotherAudienceIsRefusedWithAProblem() {
        String foreign = DevJwt.shared().token("alice", List.of(SubmitterTestSupport.PROJECT), Set.of(),
                Duration.ofHours(1), "another-audience");
        given().auth().oauth2(foreign).get("/v1/tasks").then().statusCode(401)
                .contentType("application/problem+json").body("status", equalTo(401));
    }

    @Test
    void badListParametersAre422NamingThem() {
        asAlice().queryParam("cursor", "not-a-cursor").get("/v1/tasks").then().statusCode(422)
                .contentType("application/problem+json").body("title", equalTo("ValidationError"))
                .body("errors[0].field", equalTo("cursor")).body("errors[0].suggestion", notNullValue());
        asAlice().queryParam("name", "a*b*").get("/v1/tasks").then().statusCode(422)
                .body("errors[0].field", equalTo("name"));
        asAlice().queryParam("name", "*").get("/v1/tasks").then().statusCode(422)
                .body("errors[0].field", equalTo("name"));
        asAlice().queryParam("limit", "ten").get("/v1/tasks").then().statusCode(422)
                .body("errors[0].field", equalTo("limit"));
        asAlice().queryParam("limit", 501).get("/v1/tasks").then().statusCode(422)
                .body("errors[0].field", equalTo("limit"));
    }

    @Test
    void totalCostComesFromTheCostAccountantOnceItsFirstUpdateArrived() {
        String taskId = submitIdle(uniqueName("cost"));
        // pending and never run: no estimate
        asAlice().get("/v1/tasks/" + taskId).then().statusCode(200).body("total_cost", equalTo(null));

        Instant at = Instant.now();
        TaskCostUpdated update = new TaskCostUpdated(taskId, "flow-dev", Money.of("2.50"), Money.of("1.234567"), at);
        TaskCostUpdated older = new TaskCostUpdated(taskId, "flow-dev", Money.of("2.50"), Money.of("0.50"),
                at.minusSeconds(60));
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(record(Topics.COST_UPDATES, update),
                record(Topics.COST_UPDATES, older)).awaitCompletion();
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/tasks/" + taskId).then().statusCode(200)
                .body("total_cost", equalTo("$1.23")));

        // a later update wins; the older one sent before it never did (ordered by event time, not arrival)
        TaskCostUpdated later = new TaskCostUpdated(taskId, "flow-dev", Money.of("2.50"), Money.of("2.005"),
                at.plusSeconds(60));
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(record(Topics.COST_UPDATES, later))
                .awaitCompletion();
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/tasks/" + taskId).then().statusCode(200)
                .body("total_cost", equalTo("$2.00")));
    }

    @Test
    void anEndedTasksCostIsTheLedgersCarriedToItsEndUntilTheFinalUpdateArrives() {
        String taskId = submitIdle(uniqueName("ended"));
        Instant started = Instant.now().minusSeconds(7200).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Instant ended = started.plusSeconds(3600);
        List<InstanceInfo> nodes = List.of(new InstanceInfo("inst_e0", 0, "STATUS_RUNNING", "10.0.0.5", 22),
                new InstanceInfo("inst_e1", 1, "STATUS_RUNNING", "10.0.0.6", 22));
        // two nodes at $3.00 for an hour; the ledger's last update before the end was half-way ($3.00 at $6.00/h)
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(
                record(Topics.TASK_STATUS, new TaskStatusChanged(taskId, "flow-dev", TaskStatus.PENDING,
                        TaskStatus.RUNNING, TransitionReason.ALLOCATED, started, started, nodes, Money.of("3.00"), 2,
                        null, null, "a100", 0, null)),
                record(Topics.COST_UPDATES, new TaskCostUpdated(taskId, "flow-dev", Money.of("6.00"),
                        Money.of("3.00"), started.plusSeconds(1800))),
                record(Topics.TASK_STATUS, new TaskStatusChanged(taskId, "flow-dev", TaskStatus.RUNNING,
                        TaskStatus.COMPLETED, TransitionReason.workloadExit(0), ended, ended, nodes,
                        Money.of("3.00"), 2, null, null, "a100", 0, null))).awaitCompletion();
        // carried to the end, not to now (which would be an hour more), and nothing is paid any more
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/tasks/" + taskId).then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("cost_per_hour", equalTo("$0.00"))
                .body("total_cost", equalTo("$6.00")));

        // the accountant's final figure (here after reconciliation) replaces the carried one as it is
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(record(Topics.COST_UPDATES,
                new TaskCostUpdated(taskId, "flow-dev", Money.ZERO, Money.of("6.123456"), Instant.now())))
                .awaitCompletion();
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/tasks/" + taskId).then().statusCode(200)
                .body("total_cost", equalTo("$6.12")));
    }
}
