package dev.flow.logs;

import static dev.flow.logs.TestSupport.newTaskId;
import static dev.flow.logs.TestSupport.publish;
import static dev.flow.logs.TestSupport.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.logs.service.TaskDirectory;
import dev.flow.model.event.Topics;
import dev.flow.model.status.TaskStatus;
import dev.flow.service.metrics.DeadLetters;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/**
 * A record on the status topic that can never be read (garbage, or a CloudEvent whose data does not decode) is set
 * aside — counted as a dead letter and skipped — and the events after it on the same partition are still applied:
 * one bad record no longer stops every replica.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(PlatformKeyResource.class)
class PoisonRecordTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Inject
    TaskDirectory directory;

    @Inject
    MeterRegistry registry;

    @Test
    void anUnreadableStatusRecordIsSetAsideAndTheNextOneApplied() {
        String taskId = newTaskId();
        double before = undecodable();
        // same key, so same partition, ahead of the good event: not a CloudEvent at all, then a CloudEvent of a
        // known type whose data is not its JSON
        ProducerRecord<String, byte[]> garbage = new ProducerRecord<>(Topics.TASK_STATUS, taskId,
                "\u0000not json".getBytes(StandardCharsets.UTF_8));
        ProducerRecord<String, byte[]> badData = new ProducerRecord<>(Topics.TASK_STATUS, null, taskId,
                "{\"task_id\": 42, \"to\": [".getBytes(StandardCharsets.UTF_8), List.of(
                new RecordHeader("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("ce_id", "poison-1".getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("ce_source", "/test".getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("ce_type", "dev.flow.task.status.changed.v1".getBytes(StandardCharsets.UTF_8))));
        kafka.produce(String.class, byte[].class).fromRecords(garbage, badData).awaitCompletion(WAIT);
        publish(kafka, status(taskId, "flow-dev", null, TaskStatus.PENDING, List.of()));

        await().atMost(WAIT).until(() -> directory.find(taskId).isPresent());
        await().atMost(WAIT).until(() -> undecodable() > before);
    }

    private double undecodable() {
        return registry.find(DeadLetters.METER).tag("topic", Topics.TASK_STATUS).tag("reason", "undecodable")
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
