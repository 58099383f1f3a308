package dev.flow.submitter.messaging;

import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.bidOf;
import static dev.flow.submitter.SubmitterTestSupport.mithril;
import static dev.flow.submitter.SubmitterTestSupport.projectFid;
import static dev.flow.submitter.SubmitterTestSupport.record;
import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.model.event.ResubmitTask;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.Topics;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.messaging.DeadLetterQueue;
import dev.flow.service.messaging.DeadLetterRecords;
import dev.flow.service.metrics.DeadLetters;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.service.TaskIds;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a command the submitter can never read is parked on the dead-letter topic, with its key, value and
 * headers and where it came from, and the next command of the same task (same partition) is carried out; a
 * redelivered {@code ResubmitTask} (same {@code ce_id}) places no second bid.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(PlatformKeyTestResource.class)
class DeadLetterTopicTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Inject
    MeterRegistry registry;

    @Inject
    DeadLetterQueue deadLetterQueue;

    ConsumerTask<String, byte[]> deadLetters;

    @BeforeEach
    void followDeadLetters() {
        deadLetters = kafka.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("test-" + UUID.randomUUID()).withOffsetReset(OffsetResetStrategy.EARLIEST)
                .fromTopics(deadLetterQueue.topic());
    }

    @AfterEach
    void stopFollowing() {
        deadLetters.stop();
    }

    @Test
    void anUnreadableCommandIsParkedAndTheNextOneOfTheTaskCarriedOut() {
        String taskId = submit("""
                {"name": "%s", "instance_type": "a100", "command": "sleep 600", "max_price_per_hour": 0.01}"""
                .formatted(uniqueName("dlq"))).then().statusCode(201).extract().path("task_id");
        Bid bid = await().atMost(WAIT).until(() -> bidOf(taskId).orElse(null), b -> b != null);
        double before = deadLettered("undecodable");

        // same key, so same partition, ahead of the stop: a StopTask whose data is not its JSON
        ProducerRecord<String, byte[]> bad = unreadableStop(taskId);
        byte[] value = bad.value();
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(bad,
                record(Topics.TASK_COMMANDS, new StopTask(taskId, TransitionReason.USER_CANCEL, "test", Instant.now())))
                .awaitCompletion(WAIT);

        await().atMost(WAIT).until(() -> mithril().getBid(bid.fid()).await().atMost(WAIT).status()
                == BidStatus.TERMINATED);
        ConsumerRecord<String, byte[]> letter = await().atMost(WAIT).until(() -> parked(taskId).stream().findFirst()
                .orElse(null), r -> r != null);
        assertThat(letter.value()).isEqualTo(value);
        assertThat(CloudEventRecords.headersOf(letter))
                .containsEntry("ce_id", "bad-" + taskId)
                .containsEntry("ce_type", "dev.flow.task.command.stop.v1")
                .containsEntry(DeadLetterRecords.REASON, "undecodable")
                .containsEntry(DeadLetterRecords.TOPIC, Topics.TASK_COMMANDS)
                .containsEntry(DeadLetterRecords.SERVICE, "submitter-service")
                .containsKeys(DeadLetterRecords.PARTITION, DeadLetterRecords.OFFSET, DeadLetterRecords.AT)
                .hasEntrySatisfying(DeadLetterRecords.ERROR, error -> assertThat(error)
                        .startsWith("java.lang.IllegalArgumentException").doesNotContain("task_id"));
        // counted once the broker acknowledged the write, which may come after a consumer already sees the record
        await().atMost(WAIT).until(() -> deadLettered("undecodable") >= before + 1);
        assertThat(deadLettered("undecodable")).isEqualTo(before + 1);
        assertThat(parked(taskId)).hasSize(1);
    }

    @Test
    void aRedeliveredResubmitTaskPlacesNoSecondBid() {
        String taskId = submit("""
                {"name": "%s", "instance_type": "a100", "command": "sleep 600", "max_price_per_hour": 0.01,
                 "retry": {"on_preemption": true, "max_restarts": 3}}"""
                .formatted(uniqueName("dedupe"))).then().statusCode(201).extract().path("task_id");
        await().atMost(WAIT).until(() -> bidOf(taskId).isPresent());

        // the same record twice (same ce_id), as a redelivery after a crash before the commit would bring it; then
        // an unreadable record of the task, parked once both were handled (same partition, in order)
        ProducerRecord<String, byte[]> resubmit = record(Topics.TASK_COMMANDS,
                new ResubmitTask(taskId, TransitionReason.PREEMPTED, Instant.now()));
        ProducerRecord<String, byte[]> marker = unreadableStop(taskId);
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(resubmit, resubmit, marker).awaitCompletion(WAIT);
        await().atMost(WAIT).until(() -> !parked(taskId).isEmpty());

        asAlice().get("/v1/tasks/" + taskId).then().statusCode(200)
                .body("restart_count", equalTo(1))
                .body("bid_name", equalTo(TaskIds.bidName(taskId, 1)))
                .body("cancel_requested", equalTo(false));
        String project = projectFid("flow-dev");
        assertThat(mithril().findBidByName(project, TaskIds.bidName(taskId, 2)).await().atMost(WAIT)).isEmpty();
        assertThat(mithril().findBidByName(project, TaskIds.bidName(taskId, 1)).await().atMost(WAIT))
                .hasValueSatisfying(b -> assertThat(b.status()).isNotEqualTo(BidStatus.TERMINATED));

        // a new ResubmitTask (another ce_id: the new bid was preempted too) is carried out
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(record(Topics.TASK_COMMANDS,
                new ResubmitTask(taskId, TransitionReason.PREEMPTED, Instant.now()))).awaitCompletion(WAIT);
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/tasks/" + taskId).then()
                .body("restart_count", equalTo(2)));
        asAlice().delete("/v1/tasks/" + taskId); // its bid stops billing the emulator's other tests
    }

    private List<ConsumerRecord<String, byte[]>> parked(String taskId) {
        return deadLetters.getRecords().stream().filter(r -> taskId.equals(r.key())).toList();
    }

    private double deadLettered(String reason) {
        return registry.find(DeadLetters.METER).tag("topic", Topics.TASK_COMMANDS).tag("reason", reason)
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** A StopTask whose data is not its JSON (a record without a ce_type would be ignored: an unknown type). */
    private static ProducerRecord<String, byte[]> unreadableStop(String taskId) {
        return new ProducerRecord<>(Topics.TASK_COMMANDS, null, taskId,
                "{\"task_id\": [".getBytes(StandardCharsets.UTF_8), List.of(header("ce_specversion", "1.0"),
                header("ce_id", "bad-" + taskId), header("ce_source", "/test"),
                header("ce_type", "dev.flow.task.command.stop.v1")));
    }

    private static RecordHeader header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
