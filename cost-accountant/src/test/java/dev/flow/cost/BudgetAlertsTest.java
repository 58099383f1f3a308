package dev.flow.cost;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.model.event.AlertKind;
import dev.flow.model.event.BudgetExhausted;
import dev.flow.model.event.BudgetPeriod;
import dev.flow.model.event.BudgetThresholdCrossed;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/** Budgets over REST and their alerts on flow.budget.alerts, from spend computed by the real ledger. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(JwtTestResource.class)
class BudgetAlertsTest {

    private static final String PROBLEM = "application/problem+json";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKafkaCompanion
    KafkaCompanion companion;

    @Inject
    Scheduler scheduler;

    private static String token(String project) {
        return DevJwt.shared().token("bob", List.of(project));
    }

    /** Changing budgets needs the admin claim. */
    private static String admin(String project) {
        return DevJwt.shared().adminToken("ada", List.of(project));
    }

    private static ProducerRecord<String, byte[]> run(String task, String project, TaskStatus to, Instant at,
                                                      String price) {
        return run(task, project, to, at, Money.parse(price));
    }

    private static ProducerRecord<String, byte[]> run(String task, String project, TaskStatus to, Instant at,
                                                      Money price) {
        TaskStatusChanged event = new TaskStatusChanged(task, project, null, to, TransitionReason.ALLOCATED, at, at,
                to == TaskStatus.RUNNING ? List.of(new InstanceInfo("inst_" + task, 0, "STATUS_RUNNING", null, null))
                        : List.of(), price, 1, "bid_" + task, null, null, 0, null);
        return record(event);
    }

    private static ProducerRecord<String, byte[]> record(FlowEvent event) {
        return CloudEventRecords.toProducerRecord(Topics.TASK_STATUS, event, "/flow/status-poller",
                UUID.randomUUID().toString());
    }

    @Test
    void crossedThresholdsArePublishedOncePerPeriod() {
        String project = "proj-" + UUID.randomUUID().toString().substring(0, 8);
        String a = "task-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String b = "task-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Instant t0 = Instant.parse("2025-06-01T08:00:00Z");
        ConsumerTask<String, byte[]> alerts = companion.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("budget-test-" + UUID.randomUUID())
                .withOffsetReset(OffsetResetStrategy.EARLIEST)
                .withAutoCommit()
                .fromTopics(Topics.BUDGET_ALERTS);

        String id = given().auth().oauth2(admin(project)).contentType("application/json")
                .body(Map.of("period", "total", "limit", "$10.00", "thresholds", List.of(50, 80, 200)))
                .post("/v1/budgets").then().statusCode(201)
                .body("project", equalTo(project))
                .body("thresholds", contains(50, 80, 100, 200))
                .body("spent", equalTo("$0.00"))
                .extract().path("id");

        // one hour at $12.34: 50, 80 and 100 % of $10 are crossed, 200 % is not
        sendRun(a, project, t0, TaskStatus.COMPLETED, t0.plus(Duration.ofHours(1)), "$12.34");

        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(token(project)).get("/v1/budgets/" + id)
                .then().statusCode(200)
                .body("spent", equalTo("$12.34"))
                .body("crossed_thresholds", contains(50, 80, 100)));
        await().atMost(WAIT).until(() -> events(alerts, project).size() == 4);

        // a second hour at $10 takes it to $22.34: only 200 % is new
        sendRun(b, project, t0.plus(Duration.ofHours(2)), TaskStatus.CANCELLED, t0.plus(Duration.ofHours(3)), "$10.00");
        await().atMost(WAIT).until(() -> events(alerts, project).size() == 5);

        List<FlowEvent> events = events(alerts, project);
        alerts.stop();
        Map<Integer, Long> perThreshold = events.stream().filter(BudgetThresholdCrossed.class::isInstance)
                .map(BudgetThresholdCrossed.class::cast)
                .peek(e -> assertThat(e.kind()).as("a total budget has no forecast").isEqualTo(AlertKind.ACTUAL))
                .collect(Collectors.groupingBy(BudgetThresholdCrossed::threshold, Collectors.counting()));
        assertThat(perThreshold).containsOnly(Map.entry(50, 1L), Map.entry(80, 1L), Map.entry(100, 1L),
                Map.entry(200, 1L));
        BudgetThresholdCrossed fifty = events.stream().filter(BudgetThresholdCrossed.class::isInstance)
                .map(BudgetThresholdCrossed.class::cast).filter(e -> e.threshold() == 50).findFirst().orElseThrow();
        assertThat(fifty.budgetId()).isEqualTo(id);
        assertThat(fifty.kind()).isEqualTo(AlertKind.ACTUAL);
        assertThat(fifty.spent()).isEqualTo(Money.parse("$12.34"));
        assertThat(fifty.limit()).isEqualTo(Money.parse("$10.00"));
        assertThat(fifty.period()).isEqualTo(BudgetPeriod.TOTAL);
        assertThat(events.stream().filter(BudgetExhausted.class::isInstance)).hasSize(1)
                .allSatisfy(e -> assertThat(((BudgetExhausted) e).stopsTasks()).isFalse());
    }

    /**
     * Sends one task's run (running at {@code start}, {@code end} at {@code stop}) while no budget check runs, and
     * waits until the ledger has closed it. An open interval accrues to now, and these runs are dated in the past:
     * a check between the two events would see a year of spend and cross every threshold.
     */
    private void sendRun(String task, String project, Instant start, TaskStatus end, Instant stop, String price) {
        scheduler.pause();
        try {
            companion.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(List.of(
                    run(task, project, TaskStatus.RUNNING, start, price),
                    run(task, project, end, stop, price))).awaitCompletion(WAIT);
            await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(token(project))
                    .get("/v1/costs/tasks/" + task).then().statusCode(200)
                    .body("running", equalTo(false))
                    .body("intervals.size()", equalTo(1)));
        } finally {
            scheduler.resume();
        }
    }

    private static List<FlowEvent> events(ConsumerTask<String, byte[]> records, String project) {
        return records.getRecords().stream().filter(r -> project.equals(r.key()))
                .map(r -> CloudEventRecords.fromRecord(r).orElseThrow()).map(Function.<FlowEvent>identity()).toList();
    }

    @Test
    void budgetsAreProjectScopedAndValidated() {
        String project = "proj-" + UUID.randomUUID().toString().substring(0, 8);
        String id = given().auth().oauth2(admin(project)).contentType("application/json")
                .body(Map.of("period", "monthly", "limit", "$500"))
                .post("/v1/budgets").then().statusCode(201)
                .body("thresholds", contains(50, 80, 100))
                .body("limit", equalTo("$500.00"))
                .extract().path("id");
        // the same project and period again replaces the limit, it does not add a second budget
        given().auth().oauth2(admin(project)).contentType("application/json")
                .body(Map.of("period", "monthly", "limit", "$600", "thresholds", List.of(90)))
                .post("/v1/budgets").then().statusCode(201).body("id", equalTo(id)).body("limit", equalTo("$600.00"));
        given().auth().oauth2(token(project)).get("/v1/budgets").then().statusCode(200)
                .body("id", contains(id));

        given().auth().oauth2(token("flow-other")).get("/v1/budgets/" + id).then().statusCode(404)
                .contentType(PROBLEM);
        given().auth().oauth2(admin("flow-other")).delete("/v1/budgets/" + id).then().statusCode(404);
        given().auth().oauth2(admin(project)).contentType("application/json")
                .body(Map.of("period", "hourly", "limit", "$5"))
                .post("/v1/budgets").then().statusCode(422).contentType(PROBLEM);
        given().auth().oauth2(admin(project)).contentType("application/json")
                .body(Map.of("period", "daily", "limit", "$5", "action", "delete_everything"))
                .post("/v1/budgets").then().statusCode(422).contentType(PROBLEM);
        given().auth().oauth2(admin(project)).contentType("application/json")
                .body(Map.of("period", "daily", "limit", "$0"))
                .post("/v1/budgets").then().statusCode(422).contentType(PROBLEM);
        given().get("/v1/budgets").then().statusCode(401);

        given().auth().oauth2(admin(project)).delete("/v1/budgets/" + id).then().statusCode(204);
        given().auth().oauth2(token(project)).get("/v1/budgets/" + id).then().statusCode(404);
    }

    private static String newTask() {
        return "task-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static ConsumerTask<String, byte[]> consume(KafkaCompanion companion, String topic) {
        return companion.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("budget-test-" + UUID.randomUUID())
                .withOffsetReset(OffsetResetStrategy.EARLIEST)
                .withAutoCommit()
                .fromTopics(topic);
    }

    private static List<BudgetThresholdCrossed> crossings(ConsumerTask<String, byte[]> records, String project,
                                                          AlertKind kind) {
        return events(records, project).stream().filter(BudgetThresholdCrossed.class::isInstance)
                .map(BudgetThresholdCrossed.class::cast).filter(e -> e.kind() == kind).toList();
    }

    @Test
    void forecastThresholdsFireOncePerPeriodIndependentlyOfActualSpend() {
        String project = "proj-" + UUID.randomUUID().toString().substring(0, 8);
        String a = newTask();
        String b = newTask();
        ConsumerTask<String, byte[]> alerts = consume(companion, Topics.BUDGET_ALERTS);
        String id = given().auth().oauth2(admin(project)).contentType("application/json")
                .body(Map.of("period", "monthly", "limit", "$1000.00"))
                .post("/v1/budgets").then().statusCode(201).extract().path("id");

        // One interval from `start` to the month's end costs price × (end − start) whatever the time of the check:
        // spent so far + price × hours left. The prices make that 65 % of the limit, then 110 % with a second task.
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
        Instant end = start.atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC)
                .plusMonths(1).toInstant();
        BigDecimal hours = BigDecimal.valueOf(ChronoUnit.MICROS.between(start, end))
                .divide(BigDecimal.valueOf(3_600_000_000L), 12, RoundingMode.HALF_EVEN);
        BigDecimal priceA = BigDecimal.valueOf(650).divide(hours, 2, RoundingMode.HALF_EVEN);
        BigDecimal priceB = BigDecimal.valueOf(450).divide(hours, 2, RoundingMode.HALF_EVEN);
        Money forecastA = Money.of(priceA.multiply(BigDecimal.valueOf(ChronoUnit.MICROS.between(start, end)))
                .divide(BigDecimal.valueOf(3_600_000_000L), 6, RoundingMode.HALF_EVEN));

        companion.produce(Serdes.String(), Serdes.ByteArray())
                .fromRecords(List.of(run(a, project, TaskStatus.RUNNING, start, Money.of(priceA))))
                .awaitCompletion(WAIT);
        // the check that decides 50 % would decide 80 % with it if the forecast reached it
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(token(project)).get("/v1/budgets/" + id)
                .then().statusCode(200)
                .body("crossed_forecast_thresholds", contains(50))
                .body("crossed_thresholds", empty()));
        await().atMost(WAIT).until(() -> crossings(alerts, project, AlertKind.FORECAST).size() == 1);
        BudgetThresholdCrossed fifty = crossings(alerts, project, AlertKind.FORECAST).get(0);
        assertThat(fifty.threshold()).isEqualTo(50);
        assertThat(fifty.forecast()).isEqualTo(forecastA);
        assertThat(fifty.spent()).isLessThan(Money.parse("$500.00"));
        assertThat(fifty.period()).isEqualTo(BudgetPeriod.MONTHLY);

        companion.produce(Serdes.String(), Serdes.ByteArray())
                .fromRecords(List.of(run(b, project, TaskStatus.RUNNING, start, Money.of(priceB))))
                .awaitCompletion(WAIT);
        await().atMost(WAIT).until(() -> crossings(alerts, project, AlertKind.FORECAST).size() == 3);
        given().auth().oauth2(token(project)).get("/v1/budgets/" + id).then().statusCode(200)
                .body("crossed_forecast_thresholds", contains(50, 80, 100))
                .body("crossed_thresholds", empty());

        List<FlowEvent> events = events(alerts, project);
        alerts.stop();
        assertThat(crossings(alerts, project, AlertKind.FORECAST)).extracting(BudgetThresholdCrossed::threshold)
                .containsExactlyInAnyOrder(50, 80, 100);
        assertThat(crossings(alerts, project, AlertKind.ACTUAL)).isEmpty();
        // a forecast is not an exhaustion
        assertThat(events.stream().filter(BudgetExhausted.class::isInstance)).isEmpty();
    }

    @Test
    void anExhaustedStopTasksBudgetStopsEachRunningTaskOnce() {
        String project = "proj-" + UUID.randomUUID().toString().substring(0, 8);
        String a = newTask();
        String b = newTask();
        String c = newTask();
        ConsumerTask<String, byte[]> commands = consume(companion, Topics.TASK_COMMANDS);
        ConsumerTask<String, byte[]> alerts = consume(companion, Topics.BUDGET_ALERTS);
        given().auth().oauth2(admin(project)).contentType("application/json")
                .body(Map.of("period", "total", "limit", "$1.00", "action", "stop_tasks"))
                .post("/v1/budgets").then().statusCode(201).body("action", equalTo("stop_tasks"));

        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        companion.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(List.of(
                run(a, project, TaskStatus.RUNNING, hourAgo, "$5.00"),
                run(b, project, TaskStatus.RUNNING, hourAgo, "$5.00"))).awaitCompletion(WAIT);
        await().atMost(WAIT).until(() -> stops(commands, Set.of(a, b, c)).size() == 2);

        // a task running after the exhaustion is stopped by a later check, which must not stop a and b again
        companion.produce(Serdes.String(), Serdes.ByteArray())
                .fromRecords(List.of(run(c, project, TaskStatus.RUNNING, hourAgo, "$5.00"))).awaitCompletion(WAIT);
        await().atMost(WAIT).until(() -> stops(commands, Set.of(a, b, c)).size() >= 3);
        await().atMost(WAIT).until(() -> events(alerts, project).stream().anyMatch(BudgetExhausted.class::isInstance));

        List<StopTask> stops = stops(commands, Set.of(a, b, c));
        commands.stop();
        assertThat(stops).extracting(StopTask::taskId).containsExactlyInAnyOrder(a, b, c);
        assertThat(stops).allSatisfy(stop -> {
            assertThat(stop.reason()).isEqualTo(TransitionReason.BUDGET_STOP);
            assertThat(stop.requestedBy()).isEqualTo("cost-accountant");
        });
        List<FlowEvent> events = events(alerts, project);
        alerts.stop();
        assertThat(events.stream().filter(BudgetExhausted.class::isInstance).map(BudgetExhausted.class::cast))
                .singleElement().satisfies(e -> assertThat(e.stopsTasks()).isTrue());
    }

    private static List<StopTask> stops(ConsumerTask<String, byte[]> records, Set<String> tasks) {
        return records.getRecords().stream().filter(r -> tasks.contains(r.key()))
                .map(r -> CloudEventRecords.fromRecord(r).orElseThrow())
                .filter(StopTask.class::isInstance).map(StopTask.class::cast).toList();
    }

    /** Issue 13 "Isolation": admin is a tenant role, scoped to the token's projects; it opens no other project. */
    @Test
    void anAdminOfAnotherProjectSeesNoneOfThisProjectsCostsOrBudgets() {
        String project = "proj-" + UUID.randomUUID().toString().substring(0, 8);
        String task = newTask();
        String id = given().auth().oauth2(admin(project)).contentType("application/json")
                .body(Map.of("period", "total", "limit", "$1000"))
                .post("/v1/budgets").then().statusCode(201).extract().path("id");
        Instant t0 = Instant.parse("2025-07-01T08:00:00Z");
        sendRun(task, project, t0, TaskStatus.COMPLETED, t0.plus(Duration.ofHours(1)), "$2.00");

        String stranger = admin("flow-other");
        given().auth().oauth2(stranger).get("/v1/costs/tasks/" + task).then().statusCode(404).contentType(PROBLEM);
        given().auth().oauth2(stranger).get("/v1/costs/projects/" + project).then().statusCode(404)
                .contentType(PROBLEM);
        given().auth().oauth2(stranger).get("/v1/costs/projects/" + project + ".csv").then().statusCode(404);
        given().auth().oauth2(stranger).get("/v1/costs/projects/" + project + "/chart.svg").then().statusCode(404);
        given().auth().oauth2(stranger).get("/v1/budgets/" + id).then().statusCode(404).contentType(PROBLEM);
        given().auth().oauth2(stranger).get("/v1/budgets?project=" + project).then().statusCode(404);
        given().auth().oauth2(stranger).get("/v1/budgets").then().statusCode(200)
                .body("id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(id)));
        // nor may it create or replace this project's budget
        given().auth().oauth2(stranger).contentType("application/json")
                .body(Map.of("project", project, "period", "total", "limit", "$1"))
                .post("/v1/budgets").then().statusCode(422).contentType(PROBLEM);
        given().auth().oauth2(stranger).delete("/v1/budgets/" + id).then().statusCode(404);
        given().auth().oauth2(token(project)).get("/v1/budgets/" + id).then().statusCode(200)
                .body("limit", equalTo("$1000.00"));
        given().auth().oauth2(token(project)).get("/v1/costs/tasks/" + task).then().statusCode(200);
    }

    @Test
    void aTokenForAnotherAudienceIsRefusedWithAProblem() {
        String foreign = DevJwt.shared().token("ada", List.of("flow-other"), Set.of("admin"), Duration.ofHours(1),
                "another-audience");
        given().auth().oauth2(foreign).get("/v1/budgets").then().statusCode(401).contentType(PROBLEM)
                .body("status", equalTo(401));
        given().auth().oauth2(foreign).get("/v1/costs/projects/flow-other").then().statusCode(401)
                .contentType(PROBLEM);
    }

    @Test
    void onlyAnAdminChangesBudgets() {
        String project = "proj-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> body = Map.of("period", "weekly", "limit", "$50");
        given().auth().oauth2(token(project)).contentType("application/json").body(body)
                .post("/v1/budgets").then().statusCode(404).contentType(PROBLEM);
        String id = given().auth().oauth2(admin(project)).contentType("application/json").body(body)
                .post("/v1/budgets").then().statusCode(201).extract().path("id");
        // a member reads it but may not change or delete it: the platform's forbidden answer is a 404 (shared mapper)
        given().auth().oauth2(token(project)).get("/v1/budgets/" + id).then().statusCode(200)
                .body("limit", equalTo("$50.00"));
        given().auth().oauth2(token(project)).contentType("application/json")
                .body(Map.of("period", "weekly", "limit", "$5000"))
                .post("/v1/budgets").then().statusCode(404).contentType(PROBLEM);
        given().auth().oauth2(token(project)).delete("/v1/budgets/" + id).then().statusCode(404).contentType(PROBLEM);
        given().auth().oauth2(token(project)).get("/v1/budgets/" + id).then().statusCode(200)
                .body("limit", equalTo("$50.00"));
        // an admin of another project does not see it at all
        given().auth().oauth2(admin("flow-other")).delete("/v1/budgets/" + id).then().statusCode(404);
        given().auth().oauth2(admin(project)).delete("/v1/budgets/" + id).then().statusCode(204);
    }

    @Test
    void raisingABudgetReArmsTheThresholdsItNoLongerExceeds() {
        String project = "proj-" + UUID.randomUUID().toString().substring(0, 8);
        String a = newTask();
        String b = newTask();
        Instant t0 = Instant.parse("2025-07-01T08:00:00Z");
        ConsumerTask<String, byte[]> alerts = consume(companion, Topics.BUDGET_ALERTS);
        String id = given().auth().oauth2(admin(project)).contentType("application/json")
                .body(Map.of("period", "total", "limit", "$10.00"))
                .post("/v1/budgets").then().statusCode(201).extract().path("id");
        sendRun(a, project, t0, TaskStatus.COMPLETED, t0.plus(Duration.ofHours(1)), "$12.34");
        await().atMost(WAIT).until(() -> crossings(alerts, project, AlertKind.ACTUAL).size() == 3);

        // $12.34 of $20: 50 % stays crossed, 80 and 100 % are OK again
        given().auth().oauth2(admin(project)).contentType("application/json")
                .body(Map.of("period", "total", "limit", "$20.00"))
                .post("/v1/budgets").then().statusCode(201).body("id", equalTo(id))
                .body("crossed_thresholds", contains(50));

        // another $5 takes it to $17.34: 80 % fires again, 100 % not yet
        sendRun(b, project, t0.plus(Duration.ofHours(2)), TaskStatus.COMPLETED, t0.plus(Duration.ofHours(3)), "$5.00");
        await().atMost(WAIT).until(() -> crossings(alerts, project, AlertKind.ACTUAL).size() == 4);
        given().auth().oauth2(token(project)).get("/v1/budgets/" + id).then().statusCode(200)
                .body("spent", equalTo("$17.34"))
                .body("crossed_thresholds", contains(50, 80));

        List<BudgetThresholdCrossed> crossings = crossings(alerts, project, AlertKind.ACTUAL);
        alerts.stop();
        Map<Integer, Long> perThreshold = crossings.stream()
                .collect(Collectors.groupingBy(BudgetThresholdCrossed::threshold, Collectors.counting()));
        assertThat(perThreshold).containsOnly(Map.entry(50, 1L), Map.entry(80, 2L), Map.entry(100, 1L));
        BudgetThresholdCrossed again = crossings.get(crossings.size() - 1);
        assertThat(again.threshold()).isEqualTo(80);
        assertThat(again.limit()).isEqualTo(Money.parse("$20.00"));
        assertThat(again.spent()).isEqualTo(Money.parse("$17.34"));
    }
}
