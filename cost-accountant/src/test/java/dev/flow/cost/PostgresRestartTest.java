package dev.flow.cost;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.flow.cost.domain.CostInterval;
import dev.flow.cost.repository.ConsumedEventRepository;
import dev.flow.cost.repository.CostIntervalRepository;
import dev.flow.cost.support.RestartablePostgresTestResource;
import dev.flow.devstack.DevJwt;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.metrics.DeadLetters;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stops and starts again while status events flow: afterwards the ledger equals the expected one to the
 * cent, with every event applied once (nothing lost) and one interval per running period (nothing doubled).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(RestartablePostgresTestResource.class)
@WithTestResource(JwtTestResource.class)
class PostgresRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String PROJECT = "flow-other";
    private static final int TASKS_PER_BATCH = 20;

    @InjectKafkaCompanion
    KafkaCompanion companion;

    @Inject
    ConsumedEventRepository consumed;

    @Inject
    CostIntervalRepository intervals;

    @Inject
    MeterRegistry registry;

    private static String newTaskId() {
        return "task-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** Task i of a batch: 2 nodes running (30 + i) minutes at $(1 + i/100)/h. */
    private static List<TaskStatusChanged> task(String task, int i, Instant t0) {
        Money price = Money.parse("$" + BigDecimal.ONE.add(BigDecimal.valueOf(i, 2)).toPlainString());
        List<InstanceInfo> nodes = List.of(new InstanceInfo("inst_" + task + "_0", 0, "STATUS_RUNNING", "10.0.0.1", 22),
                new InstanceInfo("inst_" + task + "_1", 1, "STATUS_RUNNING", "10.0.0.2", 22));
        Instant end = t0.plus(Duration.ofMinutes(30 + i));
        return List.of(
                new TaskStatusChanged(task, PROJECT, TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0, t0, nodes, price, 2, "bid_" + task, "us-central1-a", "a100-80gb.sxm.1x", 0, null),
                new TaskStatusChanged(task, PROJECT, TaskStatus.RUNNING, TaskStatus.COMPLETED,
                        TransitionReason.workloadExit(0), end, end, nodes, price, 2, "bid_" + task, "us-central1-a",
                        "a100-80gb.sxm.1x", 0, null));
    }

    /** Sends one batch of tasks; returns its exact cost in dollar-minutes (price × 2 nodes × minutes). */
    private BigDecimal sendBatch(List<String> tasks, Instant t0) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        BigDecimal dollarMinutes = BigDecimal.ZERO;
        for (int i = 0; i < TASKS_PER_BATCH; i++) {
            String task = newTaskId();
            tasks.add(task);
            for (TaskStatusChanged event : task(task, i, t0)) {
                records.add(CloudEventRecords.toProducerRecord(Topics.TASK_STATUS, event, "/flow/status-poller",
                        UUID.randomUUID().toString()));
            }
            dollarMinutes = dollarMinutes.add(BigDecimal.ONE.add(BigDecimal.valueOf(i, 2))
                    .multiply(BigDecimal.valueOf(2L * (30 + i))));
        }
        companion.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(records).awaitCompletion(WAIT);
        return dollarMinutes;
    }

    private <T> T db(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> query) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(query));
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aPostgresRestartMidStreamLosesAndDoublesNothing() {
        Instant t0 = Instant.parse("2025-03-04T05:00:00Z");
        double deadLettersBefore = deadLetters();
        List<String> tasks = new ArrayList<>();
        BigDecimal expected = sendBatch(tasks, t0);
        // the first batch is (being) applied when the database goes away
        await().atMost(WAIT).until(() -> db(() -> consumed.count("project", PROJECT)) > 0);

        RestartablePostgresTestResource.server().stopKeepingData();
        try {
            expected = expected.add(sendBatch(tasks, t0.plus(Duration.ofDays(1))));
        } finally {
            RestartablePostgresTestResource.server().startAgain();
        }
        expected = expected.add(sendBatch(tasks, t0.plus(Duration.ofDays(2))));

        long expectedCents = expected.divide(BigDecimal.valueOf(60), 2, RoundingMode.HALF_EVEN).movePointRight(2)
                .longValueExact();
        String token = DevJwt.shared().token("alice", List.of(PROJECT));
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(token)
                .get("/v1/costs/projects/" + PROJECT).then().statusCode(200)
                .body("total_cost_cents", equalTo((int) expectedCents))
                .body("tasks.size()", equalTo(3 * TASKS_PER_BATCH)));

        // the outage was retried, nothing parked on the dead-letter topic
        assertThat(deadLetters()).isEqualTo(deadLettersBefore);
        // every event applied exactly once, one closed interval per task node
        assertThat(db(() -> consumed.count("project", PROJECT))).isEqualTo(2L * 3 * TASKS_PER_BATCH);
        List<CostInterval> rows = db(() -> intervals.list("project", PROJECT));
        assertThat(rows).hasSize(2 * 3 * TASKS_PER_BATCH).allMatch(i -> i.endedAt != null);
        assertThat(rows.stream().map(i -> i.taskId).distinct()).containsExactlyInAnyOrderElementsOf(tasks);
        // and each task costs exactly its own price × 2 nodes × its minutes
        String last = tasks.getLast();
        given().auth().oauth2(token).get("/v1/costs/tasks/" + last).then().statusCode(200)
                .body("total_cost_exact", equalTo("$" + BigDecimal.valueOf(119, 2).multiply(BigDecimal.valueOf(2 * 49))
                        .divide(BigDecimal.valueOf(60), 6, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString()));
    }

    private double deadLetters() {
        return registry.find(DeadLetters.METER).tag("topic", Topics.TASK_STATUS).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
