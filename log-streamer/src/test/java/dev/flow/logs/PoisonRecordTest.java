package dev.flow.logs;

import static dev.flow.logs.TestSupport.newTaskId;
import static dev.flow.logs.TestSupport.publish;
import static dev.flow.logs.TestSupport.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.logs.service.TaskDirectory;
import dev.flow.model.event.Topics;
import dev.flow.model.status.TaskStatus;
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
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/**
 * A record on the status topic that can never be read (garbage, or a CloudEvent whose data does not decode) is set
 * aside — parked on the dead-letter topic once (not once per group), counted — and the events after it on the same
 * partition are still applied: one bad record no longer stops every replica.
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

    @Inject
    DeadLetterQueue deadLetterQueue;

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
        await().atMost(WAIT).until(() -> undecodable() >= before + 1);

        ConsumerTask<String, byte[]> parked = kafka.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("test-" + UUID.randomUUID()).withOffsetReset(OffsetResetStrategy.EARLIEST)
                .fromTopics(deadLetterQueue.topic());
        try {
            // the garbage has no ce_type: an unknown type, which consumers ignore (EventCodec); the bad data of a
            // known type is parked
            await().atMost(WAIT).until(() -> !ofTask(parked, taskId).isEmpty());
            ConsumerRecord<String, byte[]> letter = ofTask(parked, taskId).getFirst();
            assertThat(letter.value()).isEqualTo(badData.value());
            assertThat(CloudEventRecords.headersOf(letter)).containsEntry("ce_id", "poison-1")
                    .containsEntry("ce_type", "dev.flow.task.status.changed.v1")
                    .containsEntry(DeadLetterRecords.REASON, "undecodable")
                    .containsEntry(DeadLetterRecords.TOPIC, Topics.TASK_STATUS)
                    .containsEntry(DeadLetterRecords.SERVICE, "log-streamer")
                    .containsKeys(DeadLetterRecords.PARTITION, DeadLetterRecords.OFFSET, DeadLetterRecords.ERROR);
            // parked by the shared group only: the per-process directory group skips it without a second copy
            assertThat(undecodable()).isEqualTo(before + 1);
            assertThat(ofTask(parked, taskId)).hasSize(1);
        } finally {
            parked.stop();
        }
    }

    private static List<ConsumerRecord<String, byte[]>> ofTask(ConsumerTask<String, byte[]> records, String taskId) {
        return records.getRecords().stream().filter(r -> taskId.equals(r.key())).toList();
    }

    private double undecodable() {
        return registry.find(DeadLetters.METER).tag("topic", Topics.TASK_STATUS).tag("reason", "undecodable")
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
