package dev.flow.cost;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import dev.flow.cost.repository.ConsumedEventRepository;
import dev.flow.devstack.DevJwt;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskCostUpdated;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * The ledger end to end: TaskStatusChanged records on the real broker (binary CloudEvents, as the poller sends them),
 * the real database, the REST API with real tokens. Prices and event times are the test's, so costs are exact.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(JwtTestResource.class)
class CostLedgerTest {

    private static final String PROBLEM = "application/problem+json";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKafkaCompanion
    KafkaCompanion companion;

    @Inject
    ConsumedEventRepository consumed;

    /** A day of its own per test, so no two tests' times meet. */
    private static Instant t0() {
        return Instant.parse("2026-01-01T10:00:00Z").minus(Duration.ofDays(ThreadLocalRandom.current().nextInt(1, 3000)));
    }

    private static String newTaskId() {
        return "task-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static String token(String... projects) {
        return DevJwt.shared().token("alice", List.of(projects));
    }

    private static InstanceInfo node(String fid, int node) {
        return new InstanceInfo(fid, node, "STATUS_RUNNING", "10.0.0." + (node + 1), 22);
    }

    private static TaskStatusChanged status(String task, String project, TaskStatus from, TaskStatus to,
                                            TransitionReason reason, Instant at, String price, InstanceInfo... nodes) {
        return new TaskStatusChanged(task, project, from, to, reason, at, at.plusSeconds(3), List.of(nodes),
                price == null ? null : Money.parse(price), Math.max(nodes.length, 2), "bid_" + task, "us-central1-a",
                "a100-80gb.sxm.1x", 0, null);
    }

    /** A record as the poller publishes it: binary CloudEvent with the given id. */
    private static ProducerRecord<String, byte[]> record(FlowEvent event, String id) {
        return CloudEventRecords.toProducerRecord(Topics.TASK_STATUS, event, "/flow/status-poller", id);
    }

    private void send(List<ProducerRecord<String, byte[]>> records) {
        companion.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(records).awaitCompletion(WAIT);
    }

    private static JsonPath taskCost(String task, String project) {
        return given().auth().oauth2(token(project)).get("/v1/costs/tasks/" + task)
                .then().statusCode(200).extract().jsonPath();
    }

    private static void awaitTask(String task, String project, long totalCents, boolean running) {
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(token(project))
                .get("/v1/costs/tasks/" + task).then().statusCode(200)
                .body("total_cost_cents", equalTo((int) totalCents))
                .body("running", equalTo(running)));
    }

    /** How many events of the task the ledger applied (duplicates are not counted). */
    private long consumedEventsOf(String task) {
        try {
            return VertxContextSupport.subscribeAndAwait(
                    () -> Panache.withSession(() -> consumed.count("taskId", task)));
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void twoNodesRunningNinetyMinutesAtTwelveThirtyFourCostExactlyThirtySevenDollarsTwo() {
        String task = newTaskId();
        Instant t0 = t0();
        send(List.of(
                record(status(task, "flow-dev", TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0, "$12.34", node("inst_a" + task, 0), node("inst_b" + task, 1)), UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.RUNNING, TaskStatus.COMPLETED,
                        TransitionReason.workloadExit(0), t0.plus(Duration.ofMinutes(90)), "$12.34",
                        node("inst_a" + task, 0), node("inst_b" + task, 1)), UUID.randomUUID().toString())));

        awaitTask(task, "flow-dev", 3702, false);
        given().auth().oauth2(token("flow-dev")).get("/v1/costs/tasks/" + task).then().statusCode(200)
                .body("task_id", equalTo(task))
                .body("project", equalTo("flow-dev"))
                .body("currency", equalTo("USD"))
                .body("total_cost", equalTo("$37.02"))
                .body("total_cost_exact", equalTo("$37.02"))
                .body("cost_per_hour", equalTo("$0.00"))
                .body("intervals", hasSize(2))
                .body("intervals.instance", org.hamcrest.Matchers.contains("inst_a" + task, "inst_b" + task))
                .body("intervals.node", org.hamcrest.Matchers.contains(0, 1))
                .body("intervals.price_per_hour", org.hamcrest.Matchers.everyItem(equalTo("$12.34")))
                .body("intervals.cost", org.hamcrest.Matchers.everyItem(equalTo("$18.51")))
                .body("intervals.cost_cents", org.hamcrest.Matchers.everyItem(equalTo(1851)))
                .body("intervals.started_at", org.hamcrest.Matchers.everyItem(equalTo(t0.toString())))
                .body("intervals.ended_at",
                        org.hamcrest.Matchers.everyItem(equalTo(t0.plus(Duration.ofMinutes(90)).toString())));
    }

    @Test
    void preemptionThenReallocationAtAnotherPriceBillsEachPeriodAtItsPrice() {
        String task = newTaskId();
        Instant t0 = t0();
        send(List.of(
                record(status(task, "flow-dev", TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0, "$12.34", node("inst_a" + task, 0), node("inst_b" + task, 1)), UUID.randomUUID().toString()),
                // preempted after 30 min: nothing is billed while it waits for new capacity
                record(status(task, "flow-dev", TaskStatus.RUNNING, TaskStatus.PREEMPTING, TransitionReason.PREEMPTED,
                        t0.plus(Duration.ofMinutes(30)), "$12.34"), UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.PREEMPTING, TaskStatus.PENDING, TransitionReason.RESUBMITTED,
                        t0.plus(Duration.ofMinutes(31)), "$15.00"), UUID.randomUUID().toString()),
                // re-allocated 10 min later on other instances at a lower spot price, runs 45 min
                record(status(task, "flow-dev", TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0.plus(Duration.ofMinutes(40)), "$9.87", node("inst_c" + task, 0),
                        node("inst_d" + task, 1)), UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.RUNNING, TaskStatus.COMPLETED,
                        TransitionReason.workloadExit(0), t0.plus(Duration.ofMinutes(85)), "$9.87"),
                        UUID.randomUUID().toString())));

        // 12.34 × 2 × 0.5 h + 9.87 × 2 × 0.75 h = 12.34 + 14.805 = 27.145 → $27.14 (HALF_EVEN, once, on the total)
        awaitTask(task, "flow-dev", 2714, false);
        JsonPath cost = taskCost(task, "flow-dev");
        assertThat(cost.getString("total_cost")).isEqualTo("$27.14");
        assertThat(cost.getString("total_cost_exact")).isEqualTo("$27.145");
        assertThat(cost.getList("intervals.price_per_hour")).containsExactly("$12.34", "$12.34", "$9.87", "$9.87");
        assertThat(cost.getList("intervals.cost")).containsExactly("$6.17", "$6.17", "$7.40", "$7.40");
        assertThat(cost.getList("intervals.instance"))
                .containsExactly("inst_a" + task, "inst_b" + task, "inst_c" + task, "inst_d" + task);
    }

    @Test
    void aPriceChangeWhileRunningClosesAndReopensTheInterval() {
        String task = newTaskId();
        Instant t0 = t0();
        send(List.of(
                record(status(task, "flow-dev", TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0, "$10.00", node("inst_a" + task, 0)), UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.RUNNING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0.plus(Duration.ofHours(1)), "$20.00", node("inst_a" + task, 0)),
                        UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.RUNNING, TaskStatus.CANCELLED,
                        TransitionReason.USER_CANCEL, t0.plus(Duration.ofMinutes(90)), "$20.00"),
                        UUID.randomUUID().toString())));

        awaitTask(task, "flow-dev", 2000, false);
        JsonPath cost = taskCost(task, "flow-dev");
        assertThat(cost.getList("intervals.cost")).containsExactly("$10.00", "$10.00");
        assertThat(cost.getList("intervals.ended_at"))
                .containsExactly(t0.plus(Duration.ofHours(1)).toString(), t0.plus(Duration.ofMinutes(90)).toString());
    }

    @Test
    void twoEventsAtTheSameInstantLeaveOneIntervalAtTheLaterPrice() {
        String task = newTaskId();
        Instant t0 = t0();
        send(List.of(
                record(status(task, "flow-dev", TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0, "$8.00", node("inst_a" + task, 0)), UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.RUNNING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0, "$6.00", node("inst_a" + task, 0)), UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.RUNNING, TaskStatus.COMPLETED,
                        TransitionReason.workloadExit(0), t0.plus(Duration.ofMinutes(30)), "$6.00"),
                        UUID.randomUUID().toString())));

        awaitTask(task, "flow-dev", 300, false);
        assertThat(taskCost(task, "flow-dev").getList("intervals.price_per_hour")).containsExactly("$6.00");
    }

    @Test
    void theSameEventsDeliveredTwiceGiveTheSameLedgerToTheCent() {
        String task = newTaskId();
        Instant t0 = t0();
        List<ProducerRecord<String, byte[]>> events = List.of(
                record(status(task, "flow-dev", TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0, "$3.33", node("inst_a" + task, 0), node("inst_b" + task, 1)), UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.RUNNING, TaskStatus.PREEMPTING, TransitionReason.PREEMPTED,
                        t0.plus(Duration.ofMinutes(17)).plusMillis(250), "$3.33"), UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.PREEMPTING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0.plus(Duration.ofMinutes(20)), "$4.44", node("inst_c" + task, 0),
                        node("inst_d" + task, 1)), UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.RUNNING, TaskStatus.FAILED, TransitionReason.workloadExit(3),
                        t0.plus(Duration.ofMinutes(61)).plusMillis(17), "$4.44"), UUID.randomUUID().toString()));
        send(events);
        // (3.33 × 2 × 1020.25 s + 4.44 × 2 × 2460.017 s) / 3600 = 7.95550443… → $7.96, exact $7.955504
        awaitTask(task, "flow-dev", 796, false);
        JsonPath first = taskCost(task, "flow-dev");
        assertThat(consumedEventsOf(task)).isEqualTo(4);

        // redelivered as-is (same CloudEvents ids), then re-published by a poller under fresh ids: neither changes it
        List<ProducerRecord<String, byte[]>> again = new ArrayList<>(events);
        for (ProducerRecord<String, byte[]> r : events) {
            again.add(new ProducerRecord<>(r.topic(), null, r.key(), r.value(), freshId(r)));
        }
        send(again);
        await().atMost(WAIT).until(() -> consumedEventsOf(task) == 8);

        JsonPath second = taskCost(task, "flow-dev");
        assertThat(second.getList("intervals")).isEqualTo(first.getList("intervals"));
        assertThat(second.getString("total_cost_exact")).isEqualTo(first.getString("total_cost_exact"))
                .isEqualTo("$7.955504");
    }

    private static RecordHeaders freshId(ProducerRecord<String, byte[]> r) {
        RecordHeaders headers = new RecordHeaders();
        r.headers().forEach(h -> headers.add(h.key(), "ce_id".equals(h.key())
                ? UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8) : h.value()));
        return headers;
    }

    @Test
    void unknownTypesAndMalformedEventsAreSkippedAndTheLedgerGoesOn() {
        String task = newTaskId();
        Instant t0 = t0();
        RecordHeaders unknown = new RecordHeaders();
        Map.of("ce_specversion", "1.0", "ce_id", UUID.randomUUID().toString(), "ce_source", "/flow/future",
                        "ce_type", "dev.flow.task.status.teleported.v9", "content-type", "application/json")
                .forEach((k, v) -> unknown.add(k, v.getBytes(StandardCharsets.UTF_8)));
        RecordHeaders malformed = new RecordHeaders();
        Map.of("ce_specversion", "1.0", "ce_id", UUID.randomUUID().toString(), "ce_source", "/flow/broken",
                        "ce_type", "dev.flow.task.status.changed.v1", "content-type", "application/json")
                .forEach((k, v) -> malformed.add(k, v.getBytes(StandardCharsets.UTF_8)));
        TaskCostUpdated otherKnownType = new TaskCostUpdated(task, "flow-dev", Money.parse("$99"), Money.parse("$99"), t0);
        send(List.of(
                new ProducerRecord<>(Topics.TASK_STATUS, null, task,
                        "{\"taskId\":\"x\",\"to\":\"running\",\"pricePerHour\":\"$1000\"}".getBytes(StandardCharsets.UTF_8),
                        unknown),
                new ProducerRecord<>(Topics.TASK_STATUS, null, task, "{not json".getBytes(StandardCharsets.UTF_8),
                        malformed),
                record(otherKnownType, UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0, "$1.00", node("inst_a" + task, 0)), UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.RUNNING, TaskStatus.COMPLETED,
                        TransitionReason.workloadExit(0), t0.plus(Duration.ofHours(2)), "$1.00"),
                        UUID.randomUUID().toString())));

        awaitTask(task, "flow-dev", 200, false);
        assertThat(taskCost(task, "flow-dev").getList("intervals")).hasSize(1);
    }

    @Test
    void anEndedTaskGetsItsFinalCostPublishedWhenItEnds() {
        String task = newTaskId();
        Instant t0 = t0();
        ConsumerTask<String, byte[]> updates = companion.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("cost-test-" + UUID.randomUUID())
                .withOffsetReset(OffsetResetStrategy.EARLIEST)
                .withAutoCommit()
                .fromTopics(Topics.COST_UPDATES);
        send(List.of(
                record(status(task, "flow-dev", TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0, "$12.34", node("inst_a" + task, 0), node("inst_b" + task, 1)), UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.RUNNING, TaskStatus.COMPLETED,
                        TransitionReason.workloadExit(0), t0.plus(Duration.ofMinutes(90)), "$12.34"),
                        UUID.randomUUID().toString())));

        // the timer publishes only tasks with a running interval: this final figure comes from the end itself
        await().atMost(WAIT).until(() -> costUpdates(updates, task).stream()
                .anyMatch(u -> u.totalCost().equals(Money.parse("$37.02"))));
        TaskCostUpdated last = costUpdates(updates, task).getLast();
        updates.stop();
        assertThat(last.totalCost()).isEqualTo(Money.parse("$37.02"));
        assertThat(last.costPerHour()).isEqualTo(Money.ZERO);
        assertThat(last.project()).isEqualTo("flow-dev");
    }

    @Test
    void aPreemptionNoticeIsBilledUntilThePreemption() {
        String task = newTaskId();
        Instant t0 = t0();
        InstanceInfo a = new InstanceInfo("inst_a" + task, 0, "STATUS_PREEMPTING", "10.0.0.1", 22);
        InstanceInfo b = new InstanceInfo("inst_b" + task, 1, "STATUS_PREEMPTING", "10.0.0.2", 22);
        send(List.of(
                record(status(task, "flow-dev", TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0, "$2.00", node("inst_a" + task, 0), node("inst_b" + task, 1)), UUID.randomUUID().toString()),
                // outbid after an hour: Mithril bills the 5-minute notice, at the price capped by the limit
                record(status(task, "flow-dev", TaskStatus.RUNNING, TaskStatus.PREEMPTING, TransitionReason.PREEMPTED,
                        t0.plus(Duration.ofMinutes(60)), "$6.00", a, b), UUID.randomUUID().toString()),
                record(status(task, "flow-dev", TaskStatus.PREEMPTING, TaskStatus.PENDING, TransitionReason.PREEMPTED,
                        t0.plus(Duration.ofMinutes(65)), "$0.00"), UUID.randomUUID().toString())));

        // 2 × ($2.00 × 1 h + $6.00 × 5/60 h) = 2 × (2.00 + 0.50) = $5.00
        awaitTask(task, "flow-dev", 500, false);
        JsonPath cost = taskCost(task, "flow-dev");
        assertThat(cost.getString("total_cost_exact")).isEqualTo("$5.00");
        assertThat(cost.getList("intervals.price_per_hour")).containsExactly("$2.00", "$2.00", "$6.00", "$6.00");
    }

    private static List<TaskCostUpdated> costUpdates(ConsumerTask<String, byte[]> updates, String task) {
        return updates.getRecords().stream().filter(r -> task.equals(r.key()))
                .map(r -> CloudEventRecords.fromRecord(r).orElseThrow())
                .filter(TaskCostUpdated.class::isInstance).map(TaskCostUpdated.class::cast).toList();
    }

    @Test
    void aRunningTaskAccruesToNowAndItsCostIsPublished() {
        String task = newTaskId();
        Instant started = Instant.now().minus(Duration.ofMinutes(30));
        ConsumerTask<String, byte[]> updates = companion.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("cost-test-" + UUID.randomUUID())
                .withOffsetReset(OffsetResetStrategy.EARLIEST)
                .withAutoCommit()
                .fromTopics(Topics.COST_UPDATES);
        send(List.of(record(status(task, "flow-dev", TaskStatus.PENDING, TaskStatus.RUNNING,
                TransitionReason.ALLOCATED, started, "$12.34", node("inst_a" + task, 0), node("inst_b" + task, 1)),
                UUID.randomUUID().toString())));

        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(token("flow-dev"))
                .get("/v1/costs/tasks/" + task).then().statusCode(200)
                .body("running", equalTo(true))
                .body("cost_per_hour", equalTo("$24.68"))
                .body("intervals.ended_at", org.hamcrest.Matchers.everyItem(nullValue())));
        // at least the 30 minutes since the event's time: 24.68 / 2
        assertThat(taskCost(task, "flow-dev").getLong("total_cost_cents")).isGreaterThanOrEqualTo(1234);

        await().atMost(WAIT).until(() -> updates.getRecords().stream().anyMatch(r -> task.equals(r.key())));
        TaskCostUpdated update = updates.getRecords().stream().filter(r -> task.equals(r.key()))
                .map(r -> (TaskCostUpdated) CloudEventRecords.fromRecord(r).orElseThrow()).findFirst().orElseThrow();
        updates.stop();
        assertThat(update.project()).isEqualTo("flow-dev");
        assertThat(update.costPerHour()).isEqualTo(Money.parse("$24.68"));
        assertThat(update.totalCost().isGreaterThan(Money.parse("$12.33"))).isTrue();
    }

    @Test
    void projectTotalsBreakDownPerTaskWithinTheWindow() {
        String project = "proj-" + UUID.randomUUID().toString().substring(0, 8);
        String a = newTaskId();
        String b = newTaskId();
        Instant t0 = t0();
        send(List.of(
                record(status(a, project, TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0, "$12.34", node("inst_a" + a, 0), node("inst_b" + a, 1)), UUID.randomUUID().toString()),
                record(status(a, project, TaskStatus.RUNNING, TaskStatus.COMPLETED, TransitionReason.workloadExit(0),
                        t0.plus(Duration.ofMinutes(90)), "$12.34"), UUID.randomUUID().toString()),
                record(status(b, project, TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0.plus(Duration.ofHours(1)), "$2.00", node("inst_a" + b, 0)), UUID.randomUUID().toString()),
                record(status(b, project, TaskStatus.RUNNING, TaskStatus.CANCELLED, TransitionReason.USER_CANCEL,
                        t0.plus(Duration.ofHours(3)), "$2.00"), UUID.randomUUID().toString())));
        awaitTask(b, project, 400, false);

        given().auth().oauth2(token(project)).get("/v1/costs/projects/" + project).then().statusCode(200)
                .body("project", equalTo(project))
                .body("total_cost", equalTo("$41.02"))
                .body("total_cost_cents", equalTo(4102))
                .body("tasks.task_id", org.hamcrest.Matchers.containsInAnyOrder(a, b))
                .body("tasks.find { it.task_id == '" + a + "' }.total_cost", equalTo("$37.02"))
                .body("tasks.find { it.task_id == '" + b + "' }.total_cost", equalTo("$4.00"));

        // [t0+30m, t0+2h): task a 60 min × 2 nodes × 12.34 = 24.68, task b 60 min × 2.00 = 2.00
        given().auth().oauth2(token(project))
                .queryParam("from", t0.plus(Duration.ofMinutes(30)).toString())
                .queryParam("to", t0.plus(Duration.ofHours(2)).toString())
                .get("/v1/costs/projects/" + project).then().statusCode(200)
                .body("total_cost", equalTo("$26.68"))
                .body("from", equalTo(t0.plus(Duration.ofMinutes(30)).toString()))
                .body("tasks.find { it.task_id == '" + a + "' }.total_cost_cents", equalTo(2468))
                .body("tasks.find { it.task_id == '" + b + "' }.total_cost_cents", equalTo(200));

        given().auth().oauth2(token(project)).queryParam("from", "yesterday")
                .get("/v1/costs/projects/" + project).then().statusCode(422).contentType(PROBLEM);
    }

    @Test
    void anotherProjectsCostsAreNotFound() {
        String task = newTaskId();
        Instant t0 = t0();
        send(List.of(record(status(task, "flow-other", TaskStatus.PENDING, TaskStatus.RUNNING,
                        TransitionReason.ALLOCATED, t0, "$5.00", node("inst_a" + task, 0)), UUID.randomUUID().toString()),
                record(status(task, "flow-other", TaskStatus.RUNNING, TaskStatus.COMPLETED,
                        TransitionReason.workloadExit(0), t0.plus(Duration.ofHours(1)), "$5.00"),
                        UUID.randomUUID().toString())));
        awaitTask(task, "flow-other", 500, false);

        given().auth().oauth2(token("flow-dev")).get("/v1/costs/tasks/" + task).then()
                .statusCode(404).contentType(PROBLEM);
        given().auth().oauth2(token("flow-dev")).get("/v1/costs/projects/flow-other").then()
                .statusCode(404).contentType(PROBLEM);
        given().auth().oauth2(token("flow-dev")).get("/v1/costs/tasks/" + newTaskId()).then()
                .statusCode(404).contentType(PROBLEM);
    }

    @Test
    void aTaskThatNeverRanCostsNothing() {
        String task = newTaskId();
        send(List.of(record(status(task, "flow-dev", null, TaskStatus.PENDING, TransitionReason.SUBMITTED, t0(),
                "$7.00"), UUID.randomUUID().toString())));
        awaitTask(task, "flow-dev", 0, false);
        assertThat(taskCost(task, "flow-dev").getList("intervals")).isEmpty();
    }

    @Test
    void withoutATokenItIs401() {
        given().get("/v1/costs/tasks/" + newTaskId()).then().statusCode(401).contentType(PROBLEM);
        given().get("/v1/costs/projects/flow-dev").then().statusCode(401).contentType(PROBLEM);
        given().get("/q/health/ready").then().statusCode(200);
    }
}
