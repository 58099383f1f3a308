package dev.flow.submitter.rest;

import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.RunningTasks;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static dev.flow.submitter.SubmitterTestSupport.bidCreations;
import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * A task whose {@code TaskSubmitted} event could never be published (over {@code flow.submitter.outbox
 * .max-event-bytes}, 900,000 bytes) is refused at the API, naming the field, and no bid is placed.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class OversizedEventsTest {

    @InjectMithrilEmulator
    MithrilEmulator emulator;

    @Test
    void aCommandOverItsCapIsA422OnCommandWithoutABid() {
        // 1 MB of one letter would gzip under Mithril's 10,000-character script limit, but a command is at most
        // 64 KiB (TaskLimits), so the TaskSubmitted event stays far below Kafka's 1 MB record as well
        String command = "echo " + "a".repeat(1_000_000);
        long bidsBefore = bidCreations(emulator);
        submit("""
                {"name": "%s", "instance_type": "a100", "command": "%s"}""".formatted(uniqueName("huge"), command))
                .then().statusCode(422)
                .contentType(startsWith("application/problem+json"))
                .body("errors[0].field", equalTo("command"))
                .body("errors[0].reason", containsString("65536 bytes"));
        assertThat(bidCreations(emulator)).isEqualTo(bidsBefore);
    }

    @Test
    void aCommandUnderItsCapIsAccepted() {
        String command = "echo " + "a".repeat(60_000);
        String taskId = submit("""
                {"name": "%s", "instance_type": "a100", "command": "%s"}""".formatted(uniqueName("big"), command))
                .then().statusCode(201).extract().path("task_id");
        RunningTasks.cancelBid(taskId);
    }
}
