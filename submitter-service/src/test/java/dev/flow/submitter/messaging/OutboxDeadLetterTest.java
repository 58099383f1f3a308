package dev.flow.submitter.messaging;

import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
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

import static dev.flow.submitter.SubmitterTestSupport.bidCreations;
import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;

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
            // a command is at most 64 KiB (TaskLimits): records over 20 kB are refused by the producer, events up
            // to 50 kB pass the API's own check, and one over it is refused there
            return Map.of("mp.messaging.outgoing.lifecycle-out.max.request.size", "20000",
                    "flow.submitter.outbox.max-event-bytes", "50000");
        }
    }

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @InjectMithrilEmulator
    MithrilEmulator emulator;

    @Test
    void aRowKafkaRefusesIsSetAsideAndTheNextEventsStillFlow() {
        ConsumerTask<String, byte[]> lifecycle = kafka.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("test-" + UUID.randomUUID()).withOffsetReset(OffsetResetStrategy.EARLIEST)
                .fromTopics(Topics.TASK_LIFECYCLE);
        try {
            // 30 kB of one letter: within the API's limits, over the producer's 20 kB records
            String big = submit("""
                    {"name": "%s", "instance_type": "a100", "command": "echo %s"}"""
                    .formatted(uniqueName("big"), "b".repeat(30_000))).then().statusCode(201)
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

    @Test
    void anEventOverTheApisLimitIsA422OnItsLargestFieldWithoutABid() {
        // 60 kB: within a command's 64 KiB, over this profile's 50 kB for a whole event
        long bidsBefore = bidCreations(emulator);
        submit("""
                {"name": "%s", "instance_type": "a100", "command": "echo %s"}"""
                .formatted(uniqueName("huge"), "c".repeat(60_000))).then().statusCode(422)
                .contentType(startsWith("application/problem+json"))
                .body("errors[0].field", equalTo("command"))
                .body("errors[0].reason", containsString("50000-byte limit"))
                .body("errors[0].suggestion", containsString("shorten `command`"));
        assertThat(bidCreations(emulator)).isEqualTo(bidsBefore);
    }

    @SuppressWarnings("unchecked")
    private static List<FlowEvent> events(ConsumerTask<String, byte[]> task) {
        return task.getRecords().stream()
                .map(r -> CloudEventRecords.fromRecord((ConsumerRecord<?, byte[]>) (ConsumerRecord<?, ?>) r))
                .flatMap(Optional::stream).toList();
    }
}
