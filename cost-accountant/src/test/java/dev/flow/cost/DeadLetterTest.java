package dev.flow.cost;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.messaging.DeadLetterQueue;
import dev.flow.service.messaging.DeadLetterRecords;
import dev.flow.service.metrics.DeadLetters;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a status event the ledger can never apply (data that does not decode, an event naming no project) is
 * parked on the dead-letter topic with its headers and why, counted, and the task's next events on the same
 * partition are billed: the ledger goes on and nothing is lost.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(JwtTestResource.class)
class DeadLetterTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKafkaCompanion
    KafkaCompanion companion;

    @Inject
    MeterRegistry registry;

    @Inject
    DeadLetterQueue deadLetterQueue;

    @Test
    void malformedAndProjectlessEventsAreParkedAndTheLedgerGoesOn() {
        String task = "task-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Instant t0 = Instant.parse("2026-01-01T10:00:00Z")
                .minus(Duration.ofDays(ThreadLocalRandom.current().nextInt(3000, 6000)));
        double undecodableBefore = parkedCount("undecodable");
        double invalidBefore = parkedCount("invalid");
        ConsumerTask<String, byte[]> parked = companion.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("test-" + UUID.randomUUID()).withOffsetReset(OffsetResetStrategy.EARLIEST)
                .fromTopics(deadLetterQueue.topic());
        try {
            RecordHeaders malformed = new RecordHeaders();
            Map.of("ce_specversion", "1.0", "ce_id", "bad-" + task, "ce_source", "/flow/broken",
                            "ce_type", "dev.flow.task.status.changed.v1")
                    .forEach((k, v) -> malformed.add(k, v.getBytes(StandardCharsets.UTF_8)));
            byte[] notJson = "{not json".getBytes(StandardCharsets.UTF_8);
            companion.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(
                    new ProducerRecord<>(Topics.TASK_STATUS, null, task, notJson, malformed),
                    record(status(task, null, TaskStatus.PENDING, TaskStatus.RUNNING, t0), "nameless-" + task),
                    record(status(task, "flow-dev", TaskStatus.PENDING, TaskStatus.RUNNING, t0), "run-" + task),
                    record(status(task, "flow-dev", TaskStatus.RUNNING, TaskStatus.COMPLETED,
                            t0.plus(Duration.ofHours(2))), "done-" + task)).awaitCompletion(WAIT);

            // billed: two hours at $1.00 (the events after the bad ones on the same partition were applied)
            await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DevJwt.shared().token("alice",
                            List.of("flow-dev"))).get("/v1/costs/tasks/" + task).then().statusCode(200)
                    .body("total_cost_cents", equalTo(200)).body("running", equalTo(false)));
            await().atMost(WAIT).until(() -> ofTask(parked, task).size() >= 2);

            List<ConsumerRecord<String, byte[]>> letters = ofTask(parked, task);
            assertThat(letters).hasSize(2);
            Map<String, String> first = CloudEventRecords.headersOf(letters.get(0));
            assertThat(letters.get(0).value()).isEqualTo(notJson);
            assertThat(first).containsEntry("ce_id", "bad-" + task)
                    .containsEntry(DeadLetterRecords.REASON, "undecodable")
                    .containsEntry(DeadLetterRecords.TOPIC, Topics.TASK_STATUS)
                    .containsEntry(DeadLetterRecords.SERVICE, "cost-accountant")
                    .containsKeys(DeadLetterRecords.PARTITION, DeadLetterRecords.OFFSET, DeadLetterRecords.AT,
                            DeadLetterRecords.ERROR);
            Map<String, String> second = CloudEventRecords.headersOf(letters.get(1));
            assertThat(second).containsEntry("ce_id", "nameless-" + task)
                    .containsEntry(DeadLetterRecords.REASON, "invalid")
                    .containsEntry(DeadLetterRecords.ERROR,
                            "java.lang.IllegalArgumentException: the event names no project, so its cost could not "
                                    + "be attributed");
            assertThat(Long.parseLong(second.get(DeadLetterRecords.OFFSET)))
                    .isEqualTo(Long.parseLong(first.get(DeadLetterRecords.OFFSET)) + 1);
            // counted once the broker acknowledged the write, which may come after a consumer already sees the record
            await().atMost(WAIT).until(() -> parkedCount("undecodable") >= undecodableBefore + 1
                    && parkedCount("invalid") >= invalidBefore + 1);
            assertThat(parkedCount("undecodable")).isEqualTo(undecodableBefore + 1);
            assertThat(parkedCount("invalid")).isEqualTo(invalidBefore + 1);
        } finally {
            parked.stop();
        }
    }

    private static TaskStatusChanged status(String task, String project, TaskStatus from, TaskStatus to, Instant at) {
        TransitionReason reason = to == TaskStatus.RUNNING ? TransitionReason.ALLOCATED : TransitionReason.workloadExit(0);
        List<InstanceInfo> nodes = to == TaskStatus.RUNNING
                ? List.of(new InstanceInfo("inst_a" + task, 0, "STATUS_RUNNING", "10.0.0.1", 22)) : List.of();
        return new TaskStatusChanged(task, project, from, to, reason, at, at.plusSeconds(3), nodes,
                Money.parse("$1.00"), 2, "bid_" + task, "us-central1-a", "a100-80gb.sxm.1x", 0, null);
    }

    private static ProducerRecord<String, byte[]> record(TaskStatusChanged event, String id) {
        return CloudEventRecords.toProducerRecord(Topics.TASK_STATUS, event, "/flow/status-poller", id);
    }

    private static List<ConsumerRecord<String, byte[]>> ofTask(ConsumerTask<String, byte[]> records, String task) {
        return records.getRecords().stream().filter(r -> task.equals(r.key())).toList();
    }

    private double parkedCount(String reason) {
        return registry.find(DeadLetters.METER).tag("topic", Topics.TASK_STATUS).tag("reason", reason)
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
