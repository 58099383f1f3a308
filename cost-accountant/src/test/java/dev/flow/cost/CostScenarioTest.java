package dev.flow.cost;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.flow.cost.support.ReconcilingTestResource;
import dev.flow.devstack.DevJwt;
import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.CreateBidRequest;
import dev.flow.mithril.client.model.HistoryQuery;
import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstancePricingHistory;
import dev.flow.mithril.client.model.InstanceQuery;
import dev.flow.mithril.client.model.InstanceStatus;
import dev.flow.mithril.client.model.InstanceType;
import dev.flow.mithril.client.model.LaunchSpecification;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * The "done when" scenario, end to end: status events on the real broker with prices and times chosen here,
 * a real instance on the Mithril emulator whose billing (GET /v2/instances/pricing/history) differs from what the
 * status events say, and the exact cents per task and per project over the REST API.
 *
 * <ul>
 *   <li>task A: 2 nodes × 90 min × $12.34 = $37.02 (h100 instance type);</li>
 *   <li>task B: $10.00 from 23:30 to a preemption at 00:15, waits 15 min, re-allocated on another instance at
 *       $14.50 from 00:30 to 01:10: 7.50 + 9.666… = $17.1666… → $17.17, split $5.00 / $12.1666… across midnight;</li>
 *   <li>task C: a real emulator instance at $10.00/h for about an hour, which the "poller" saw start 120 s late and
 *       end 30 s late: the estimate misses 90 s = $0.25; reconciliation replaces it with Mithril's amount.</li>
 * </ul>
 * A and B's instances are unknown to Mithril: they keep their status-based cost.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(ReconcilingTestResource.class)
class CostScenarioTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PROJECT = "flow-dev";
    private static final String REGION = "us-central1-a";
    private static final String TYPE = "a100-80gb.sxm.1x";
    private static final BigDecimal MICROS_PER_HOUR = BigDecimal.valueOf(3_600_000_000L);

    @InjectKafkaCompanion
    KafkaCompanion companion;

    @InjectMithrilEmulator
    MithrilEmulator emulator;

    @Inject
    MithrilClient mithril;

    private static String newTaskId() {
        return "task-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static String token() {
        return DevJwt.shared().token("alice", List.of(PROJECT));
    }

    private static InstanceInfo node(String fid, int node) {
        return new InstanceInfo(fid, node, "STATUS_RUNNING", "10.0.0." + (node + 1), 22);
    }

    private static TaskStatusChanged status(String task, String type, TaskStatus from, TaskStatus to,
                                            TransitionReason reason, Instant at, String price, InstanceInfo... nodes) {
        return new TaskStatusChanged(task, PROJECT, from, to, reason, at, at.plusSeconds(3), List.of(nodes),
                price == null ? null : Money.parse(price), Math.max(nodes.length, 1), "bid_" + task, REGION, type, 0,
                null);
    }

    private void send(TaskStatusChanged... events) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (TaskStatusChanged event : events) {
            records.add(CloudEventRecords.toProducerRecord(Topics.TASK_STATUS, event, "/flow/status-poller",
                    UUID.randomUUID().toString()));
        }
        companion.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(records).awaitCompletion(WAIT);
    }

    /** price ($/h) × (end − start) in dollar-microseconds: the test's own arithmetic, independent of the service's. */
    private static BigDecimal dollarMicros(String price, Instant start, Instant end) {
        return new BigDecimal(price).multiply(BigDecimal.valueOf(ChronoUnit.MICROS.between(start, end)));
    }

    private static long cents(BigDecimal dollarMicros) {
        return dollarMicros.divide(MICROS_PER_HOUR, 2, RoundingMode.HALF_EVEN).movePointRight(2).longValueExact();
    }

    private static JsonPath get(String path) {
        return given().auth().oauth2(token()).get(path).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void preemptionReallocationTwoNodesAndAReconciliationGiveTheExactCentsPerTaskAndProject() {
        var costUpdates = companion.consume(org.apache.kafka.common.serialization.Serdes.String(),
                        org.apache.kafka.common.serialization.Serdes.ByteArray())
                .withGroupId("cost-scenario-" + UUID.randomUUID())
                .withOffsetReset(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST)
                .withAutoCommit()
                .fromTopics(Topics.COST_UPDATES);
        // ---- A and B: status events only, at chosen times
        String a = newTaskId();
        String b = newTaskId();
        Instant midnight = Instant.parse("2025-06-11T00:00:00Z");
        Instant aStart = midnight.plus(Duration.ofHours(8));
        send(status(a, "h100-80gb.sxm.8x", TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED, aStart,
                        "$12.34", node("inst_a0" + a, 0), node("inst_a1" + a, 1)),
                status(a, "h100-80gb.sxm.8x", TaskStatus.RUNNING, TaskStatus.COMPLETED,
                        TransitionReason.workloadExit(0), aStart.plus(Duration.ofMinutes(90)), "$12.34",
                        node("inst_a0" + a, 0), node("inst_a1" + a, 1)));
        Instant bStart = midnight.minus(Duration.ofMinutes(30));
        send(status(b, TYPE, TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED, bStart, "$10.00",
                        node("inst_b1" + b, 0)),
                status(b, TYPE, TaskStatus.RUNNING, TaskStatus.PREEMPTING, TransitionReason.PREEMPTED,
                        midnight.plus(Duration.ofMinutes(15)), "$10.00", node("inst_b1" + b, 0)),
                status(b, TYPE, TaskStatus.PREEMPTING, TaskStatus.PENDING, TransitionReason.RESUBMITTED,
                        midnight.plus(Duration.ofMinutes(20)), null),
                status(b, TYPE, TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        midnight.plus(Duration.ofMinutes(30)), "$14.50", node("inst_b2" + b, 0)),
                status(b, TYPE, TaskStatus.RUNNING, TaskStatus.COMPLETED, TransitionReason.workloadExit(0),
                        midnight.plus(Duration.ofMinutes(70)), "$14.50", node("inst_b2" + b, 0)));

        // ---- C: a real instance at Mithril, billed at a pinned $10.00/h for an hour of emulated time
        String c = newTaskId();
        emulator.setSpotPrice(TYPE, REGION, "$10.00");
        String projectFid = mithril.projects().await().atMost(WAIT).stream()
                .filter(p -> p.name().equals(PROJECT)).findFirst().orElseThrow().fid();
        List<String> typeFids = mithril.instanceTypes().await().atMost(WAIT).stream()
                .filter(t -> t.name().equals(TYPE)).map(InstanceType::fid).toList();
        String typeFid = mithril.spotAvailability().await().atMost(WAIT).stream()
                .filter(o -> o.region().equals(REGION) && typeFids.contains(o.instanceType()))
                .map(o -> o.instanceType()).findFirst().orElseThrow();
        Bid bid = mithril.createBid(new CreateBidRequest(projectFid, REGION, typeFid, Money.parse("$20.00"), 1,
                "flow-" + c, LaunchSpecification.of(List.of(), List.of(), "#!/bin/bash\n"))).await().atMost(WAIT);
        String instance = await().atMost(WAIT).until(() -> mithril.listInstancesPage(InstanceQuery.inProject(projectFid)
                        .withBidFidIn(List.of(bid.fid()))).await().atMost(WAIT).data().stream()
                        .filter(i -> i.status() == InstanceStatus.STATUS_RUNNING).map(Instance::fid).findFirst()
                        .orElse(null),
                fid -> fid != null);
        emulator.admin("POST", "/_emulator/clock/advance", "{\"seconds\":3600}");
        mithril.cancelBid(bid.fid()).await().atMost(WAIT);
        List<InstancePricingHistory.Event> billed = await().atMost(WAIT).until(() -> mithril
                        .instancePricingHistory(HistoryQuery.forInstance(projectFid, instance)).collect().asList()
                        .await().atMost(WAIT).stream().flatMap(h -> h.events().stream()).toList(),
                events -> !events.isEmpty() && events.stream().allMatch(e -> e.endTime() != null));
        assertThat(billed).hasSize(1);
        assertThat(billed.getFirst().priceCents()).isEqualTo(1000);
        Instant billedFrom = billed.getFirst().startTime().truncatedTo(ChronoUnit.MICROS);
        Instant billedTo = billed.getFirst().endTime().truncatedTo(ChronoUnit.MICROS);
        assertThat(Duration.between(billedFrom, billedTo)).isGreaterThanOrEqualTo(Duration.ofHours(1));
        // the poller saw it running 120 s late and gone 30 s late: the estimate misses 90 s at $10.00/h
        Instant seenRunning = billedFrom.plusSeconds(120);
        Instant seenGone = billedTo.plusSeconds(30);
        send(status(c, TYPE, TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED, seenRunning,
                        "$10.00", node(instance, 0)),
                status(c, TYPE, TaskStatus.RUNNING, TaskStatus.CANCELLED, TransitionReason.USER_CANCEL, seenGone,
                        "$10.00", node(instance, 0)));

        // ---- expected amounts, from the chosen prices and times
        BigDecimal expectedA = dollarMicros("12.34", aStart, aStart.plus(Duration.ofMinutes(90))).multiply(BigDecimal.TWO);
        BigDecimal bDay1 = dollarMicros("10.00", bStart, midnight);
        BigDecimal bDay2 = dollarMicros("10.00", midnight, midnight.plus(Duration.ofMinutes(15)))
                .add(dollarMicros("14.50", midnight.plus(Duration.ofMinutes(30)), midnight.plus(Duration.ofMinutes(70))));
        BigDecimal expectedB = bDay1.add(bDay2);
        BigDecimal estimatedC = dollarMicros("10.00", seenRunning, seenGone);
        BigDecimal reconciledC = dollarMicros("10.00", billedFrom, billedTo);
        assertThat(cents(expectedA)).isEqualTo(3702);
        assertThat(cents(expectedB)).isEqualTo(1717);
        assertThat(cents(reconciledC.subtract(estimatedC))).isEqualTo(25);

        // ---- per task
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(token()).get("/v1/costs/tasks/" + c)
                .then().statusCode(200)
                .body("reconciliations[0].status", equalTo("reconciled"))
                .body("total_cost_cents", equalTo((int) cents(reconciledC))));
        // the reconciliation moved task C's total: its TaskCostUpdated says so, not only a timer (C runs no more)
        await().atMost(WAIT).until(() -> costUpdates.getRecords().stream().filter(r -> c.equals(r.key()))
                .map(r -> CloudEventRecords.fromRecord(r).orElseThrow())
                .filter(dev.flow.model.event.TaskCostUpdated.class::isInstance)
                .map(dev.flow.model.event.TaskCostUpdated.class::cast)
                .anyMatch(u -> u.totalCost().amount().compareTo(
                        reconciledC.divide(MICROS_PER_HOUR, 6, RoundingMode.HALF_EVEN)) == 0
                        && u.costPerHour().equals(Money.ZERO)));
        costUpdates.stop();
        JsonPath taskC = get("/v1/costs/tasks/" + c);
        assertThat(taskC.getLong("estimated_cost_cents")).isEqualTo(cents(estimatedC));
        assertThat(taskC.getString("reconciliation_difference_exact")).isEqualTo("$0.25");
        assertThat(taskC.getLong("reconciliation_difference_cents")).isEqualTo(25);
        assertThat(taskC.getString("reconciliations[0].difference_exact")).isEqualTo("$0.25");
        assertThat(taskC.getString("reconciliations[0].instance")).isEqualTo(instance);
        assertThat(taskC.getList("intervals.source")).containsExactly("mithril");
        assertThat(taskC.getString("intervals[0].price_per_hour")).isEqualTo("$10.00");

        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(token()).get("/v1/costs/tasks/" + a)
                .then().statusCode(200).body("reconciliations[0].status", equalTo("not_found")));
        JsonPath taskA = get("/v1/costs/tasks/" + a);
        assertThat(taskA.getLong("total_cost_cents")).isEqualTo(3702);
        assertThat(taskA.getString("total_cost_exact")).isEqualTo("$37.02");
        assertThat(taskA.getString("reconciliation_difference_exact")).isEqualTo("$0.00");
        assertThat(taskA.getList("intervals.source")).containsOnly("status");
        JsonPath taskB = get("/v1/costs/tasks/" + b);
        assertThat(taskB.getLong("total_cost_cents")).isEqualTo(1717);
        assertThat(taskB.getString("total_cost_exact")).isEqualTo("$17.166667");
        assertThat(taskB.getList("intervals.price_per_hour")).containsExactly("$10.00", "$14.50");

        // ---- per project: one rounding, of the exact sum
        BigDecimal total = expectedA.add(expectedB).add(reconciledC);
        // C's instance lived on the emulator's clock, an hour ahead of this one after the advance: the window
        // reaches past it (a closed interval's cost is final whenever it ended)
        String all = "&from=2025-01-01T00:00:00Z&to=2100-01-01T00:00:00Z";
        JsonPath project = get("/v1/costs/projects/" + PROJECT + "?group_by=task" + all);
        assertThat(project.getLong("total_cost_cents")).isEqualTo(cents(total));
        Map<String, Object> byTask = groups(project);
        assertThat(byTask).containsEntry(a, 3702).containsEntry(b, 1717).containsEntry(c, (int) cents(reconciledC));

        JsonPath byType = get("/v1/costs/projects/" + PROJECT + "?group_by=instance_type" + all);
        assertThat(groups(byType)).containsEntry("h100-80gb.sxm.8x", 3702)
                .containsEntry(TYPE, (int) cents(expectedB.add(reconciledC)));

        JsonPath byDay = get("/v1/costs/projects/" + PROJECT + "?group_by=day&from=2025-06-10T00:00:00Z&to=2025-06-12T00:00:00Z");
        assertThat(groups(byDay)).containsExactly(Map.entry("2025-06-10", 500),
                Map.entry("2025-06-11", (int) cents(expectedA.add(bDay2))));
        assertThat(byDay.getLong("total_cost_cents")).isEqualTo(cents(expectedA.add(expectedB)));

        // ---- CSV export of the same
        String csv = given().auth().oauth2(token()).accept("text/csv")
                .get("/v1/costs/projects/" + PROJECT + "?group_by=day&from=2025-06-10T00:00:00Z&to=2025-06-12T00:00:00Z")
                .then().statusCode(200).contentType("text/csv").extract().asString();
        assertThat(csv.lines().toList()).containsExactly(
                "project,from,to,group_by,group,currency,total_cost,total_cost_cents,total_cost_exact",
                // Jackson's writer quotes values starting with "$" (valid CSV, any reader unquotes them)
                "flow-dev,2025-06-10T00:00:00Z,2025-06-12T00:00:00Z,day,2025-06-10,USD,\"$5.00\",500,\"$5.00\"",
                "flow-dev,2025-06-10T00:00:00Z,2025-06-12T00:00:00Z,day,2025-06-11,USD,\"$49.19\",4919,"
                        + "\"$49.186667\"");
        String file = given().auth().oauth2(token())
                .get("/v1/costs/projects/" + PROJECT + ".csv?from=2025-06-10T00:00:00Z&to=2025-06-12T00:00:00Z")
                .then().statusCode(200).contentType("text/csv").extract().asString();
        assertThat(file.lines().skip(1).map(l -> l.split(",")[4]).toList()).containsExactlyInAnyOrder(a, b);

        // ---- reconciling again, or replaying C's events under new ids, changes nothing
        send(status(c, TYPE, TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED, seenRunning,
                        "$10.00", node(instance, 0)),
                status(c, TYPE, TaskStatus.RUNNING, TaskStatus.CANCELLED, TransitionReason.USER_CANCEL, seenGone,
                        "$10.00", node(instance, 0)));
        String marker = newTaskId();
        send(status(marker, TYPE, TaskStatus.PENDING, TaskStatus.CANCELLED, TransitionReason.USER_CANCEL,
                midnight, null));
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(token()).get("/v1/costs/tasks/" + marker)
                .then().statusCode(200));
        JsonPath again = get("/v1/costs/tasks/" + c);
        assertThat(again.getLong("total_cost_cents")).isEqualTo(cents(reconciledC));
        assertThat(again.getString("total_cost_exact")).isEqualTo(taskC.getString("total_cost_exact"));
        assertThat(again.getString("reconciliation_difference_exact")).isEqualTo("$0.25");
    }

    @Test
    void badGroupByIs422() {
        given().auth().oauth2(token()).get("/v1/costs/projects/" + PROJECT + "?group_by=week")
                .then().statusCode(422).contentType("application/problem+json");
    }

    private static Map<String, Object> groups(JsonPath view) {
        Map<String, Object> groups = new java.util.LinkedHashMap<>();
        List<Map<String, Object>> list = view.getList("groups");
        for (Map<String, Object> g : list) {
            groups.put((String) g.get("key"), g.get("total_cost_cents"));
        }
        return groups;
    }
}
