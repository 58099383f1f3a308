package dev.flow.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Bid;
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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a lifecycle record the poller can never read is parked on the dead-letter topic, with its key, value and
 * headers and where it came from, counted, and the next record of the same task (same partition, same batch or the
 * next) is applied. It used to be logged and skipped, the message lost.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(JwtTestResource.class)
class LifecycleDeadLetterTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Inject
    MithrilClient mithril;

    @Inject
    MeterRegistry registry;

    @Inject
    DeadLetterQueue deadLetterQueue;

    @Test
    void anUnreadableLifecycleRecordIsParkedAndTheTasksNextEventApplied() {
        PollerFixture fixture = new PollerFixture(mithril, kafka);
        String taskId = PollerFixture.newTaskId();
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        ConsumerTask<String, byte[]> parked = fixture.records(deadLetterQueue.topic());
        double before = undecodable();

        // same key, so same partition, ahead of the task's submission: a TaskSubmitted whose data is not its JSON
        byte[] value = "{\"task_id\": {".getBytes(StandardCharsets.UTF_8);
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(new ProducerRecord<>(Topics.TASK_LIFECYCLE,
                null, taskId, value, List.of(header("ce_specversion", "1.0"), header("ce_id", "bad-" + taskId),
                header("ce_source", "/test"), header("ce_type", "dev.flow.task.submitted.v1")))).awaitCompletion(WAIT);
        Bid bid = fixture.submit(taskId, "flow-dev", "a100-80gb.sxm.1x", "us-central1-a", "$50.00", 1,
                PollerFixture.workloadScript(taskId, "sleep 30"));
        try {
            await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).stream()
                    .anyMatch(c -> c.to() == TaskStatus.PENDING));
            await().atMost(WAIT).until(() -> !PollerFixture.recordsOf(parked, taskId).isEmpty());

            ConsumerRecord<String, byte[]> letter = PollerFixture.recordsOf(parked, taskId).getFirst();
            assertThat(letter.value()).isEqualTo(value);
            assertThat(CloudEventRecords.headersOf(letter))
                    .containsEntry("ce_id", "bad-" + taskId)
                    .containsEntry("ce_type", "dev.flow.task.submitted.v1")
                    .containsEntry(DeadLetterRecords.REASON, "undecodable")
                    .containsEntry(DeadLetterRecords.TOPIC, Topics.TASK_LIFECYCLE)
                    .containsEntry(DeadLetterRecords.SERVICE, "status-poller")
                    .containsKeys(DeadLetterRecords.PARTITION, DeadLetterRecords.OFFSET, DeadLetterRecords.AT)
                    .hasEntrySatisfying(DeadLetterRecords.ERROR, error -> assertThat(error)
                            .startsWith("java.lang.IllegalArgumentException").doesNotContain("task_id"));
            // counted once the broker acknowledged the write, which may come after a consumer already sees the record
            await().atMost(WAIT).until(() -> undecodable() >= before + 1);
            assertThat(undecodable()).isEqualTo(before + 1);
            assertThat(PollerFixture.recordsOf(parked, taskId)).hasSize(1);
        } finally {
            fixture.cancel(bid.fid());
            status.stop();
            parked.stop();
        }
    }

    private double undecodable() {
        return registry.find(DeadLetters.METER).tag("topic", Topics.TASK_LIFECYCLE).tag("reason", "undecodable")
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static RecordHeader header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
