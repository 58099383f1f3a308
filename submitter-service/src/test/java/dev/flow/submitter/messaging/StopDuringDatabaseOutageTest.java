package dev.flow.submitter.messaging;

import static dev.flow.submitter.SubmitterTestSupport.bidOf;
import static dev.flow.submitter.SubmitterTestSupport.mithril;
import static dev.flow.submitter.SubmitterTestSupport.record;
import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.RestartablePostgresTestResource;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.Topics;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.metrics.DeadLetters;
import dev.flow.service.metrics.Retries;
import dev.flow.submitter.PlatformKeyTestResource;
import io.quarkus.test.common.WithTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a StopTask that arrives while the submitter's PostgreSQL is down is not lost. The consumer retries the
 * database failure with backoff (the partition waits, nothing is skipped), and once the real server is back the
 * bid is cancelled at the emulator, and nothing is dead-lettered. It used to be logged and skipped, leaving the bid
 * billing.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(RestartablePostgresTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(PlatformKeyTestResource.class)
class StopDuringDatabaseOutageTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Inject
    MeterRegistry registry;

    @Test
    void aStopDuringADatabaseOutageCancelsTheBidOnceTheDatabaseIsBack() {
        String taskId = submit("""
                {"name": "%s", "instance_type": "a100", "command": "sleep 600", "max_price_per_hour": 0.01}"""
                .formatted(uniqueName("outage"))).then().statusCode(201).extract().path("task_id");
        Bid bid = await().atMost(WAIT).until(() -> bidOf(taskId).orElse(null), b -> b != null);

        double retriesBefore = retries();
        double deadLettersBefore = deadLetters();
        RestartablePostgresTestResource.server().stopKeepingData();
        try {
            kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(record(Topics.TASK_COMMANDS,
                    new StopTask(taskId, TransitionReason.BUDGET_STOP, "cost-accountant", Instant.now())))
                    .awaitCompletion();
            // the consumer meets the outage and retries (it used to skip the stop); the bid stays meanwhile
            await().atMost(WAIT).until(() -> retries() >= retriesBefore + 2);
            assertThat(mithril().getBid(bid.fid()).await().atMost(WAIT).status()).isNotEqualTo(BidStatus.TERMINATED);
        } finally {
            RestartablePostgresTestResource.server().startAgain();
        }
        await().atMost(WAIT).until(() -> mithril().getBid(bid.fid()).await().atMost(WAIT).status()
                == BidStatus.TERMINATED);
        // an infrastructure failure is retried, never parked on the dead-letter topic
        assertThat(deadLetters()).isEqualTo(deadLettersBefore);
    }

    private double deadLetters() {
        return registry.find(DeadLetters.METER).tag("topic", Topics.TASK_COMMANDS).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private double retries() {
        return registry.find(Retries.METER).tag("topic", Topics.TASK_COMMANDS).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
