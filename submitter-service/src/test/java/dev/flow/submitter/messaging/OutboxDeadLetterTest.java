package dev.flow.submitter.messaging;

import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.model.event.BidPlaced;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.TaskSubmitted;
import dev.flow.model.event.Topics;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.RunningTasks;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

/**
 * An outbox row Kafka refuses (here: over the producer's {@code max.request.size}, lowered for this test while the
 * API's own check is raised above it) is set aside, and the relay goes on: the same task's next event and the next
 * task's events are published, and readiness counts the dead letter.
 */
@QuarkusTest
@TestProfile(OutboxDeadLetterTest.SmallKafkaRecords.class)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class OutboxDeadLetterTest {

    /** The producer takes at most 200 kB per record; the API would let 5 MB through. */
    public static class SmallKafkaRecords implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.outgoing.lifecycle-out.max.request.size", "200000",
                    "flow.submitter.outbox.max-event-bytes", "5000000");
        }
    }

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Test
    void aRowKafkaRefusesIsSetAsideAndTheNextEventsStillFlow() {
        ConsumerTask<String, byte[]> lifecycle = kafka.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("test-" + UUID.randomUUID()).withOffsetReset(OffsetResetStrategy.EARLIEST)
                .fromTopics(Topics.TASK_LIFECYCLE);
        try {
            // 300 kB of one letter: fits the (compressed) startup script, not the producer's 200 kB records
            String big = submit("""
                    {"name": "%s", "instance_type": "a100", "command": "echo %s"}"""
                    .formatted(uniqueName("big"), "b".repeat(300_000))).then().statusCode(201)
                    .extract().path("task_id");
            String small = submit("""
                    {"name": "%s", "instance_type": "a100", "command": "sleep 1"}""".formatted(uniqueName("small")))
                    .then().statusCode(201).extract().path("task_id");

            // written after the refused row, published all the same
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                List<FlowEvent> events = events(lifecycle);
                assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(TaskSubmitted.class,
                        s -> assertThat(s.taskId()).isEqualTo(small)));
                assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(BidPlaced.class,
                        p -> assertThat(p.taskId()).isEqualTo(small)));
                // the big task's own next event is not held back by its refused TaskSubmitted either
                assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(BidPlaced.class,
                        p -> assertThat(p.taskId()).isEqualTo(big)));
            });
            assertThat(events(lifecycle)).noneSatisfy(e -> assertThat(e).isInstanceOfSatisfying(TaskSubmitted.class,
                    s -> assertThat(s.taskId()).isEqualTo(big)));
            given().get("/q/health/ready").then()
                    .body("checks.find { it.name == 'outbox' }.data.dead_letters", greaterThanOrEqualTo(1));
            RunningTasks.cancelBid(big);
            RunningTasks.cancelBid(small);
        } finally {
            lifecycle.stop();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<FlowEvent> events(ConsumerTask<String, byte[]> task) {
        return task.getRecords().stream()
                .map(r -> CloudEventRecords.fromRecord((ConsumerRecord<?, byte[]>) (ConsumerRecord<?, ?>) r))
                .flatMap(Optional::stream).toList();
    }
}
