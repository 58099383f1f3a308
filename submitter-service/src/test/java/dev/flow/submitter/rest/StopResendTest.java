package dev.flow.submitter.rest;

import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.RunningTasks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.bidOf;
import static dev.flow.submitter.SubmitterTestSupport.mithril;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * A stop Mithril confirmed but that did not take (the emulator's {@code ignore} fault: the cancel answers 204 and the
 * bid goes on running) while the task is still reported running: the cancel sweep reads the bid, re-sends the
 * cancel (WARN, {@code flow_stops_resent_total}) and the bid ends. A stop that took is never re-sent, even while the
 * task's status events lag (none are published here: the task stays {@code running} in the read model).
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class StopResendTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @InjectKafkaCompanion
    KafkaCompanion kafka;
    @InjectMithrilEmulator
    MithrilEmulator emulator;
    @Inject
    MeterRegistry registry;
    @Inject
    Pool pool;

    @AfterEach
    void clearFaults() {
        emulator.clearFaults();
    }

    @Test
    void aStopThatDidNotTakeIsResentUntilTheBidEnds() {
        String taskId = RunningTasks.submitAndRun(kafka, """
                {"name": "%s", "instance_type": "a100", "command": "sleep 600"}""".formatted(uniqueName("sticky")));
        String bidFid = bidOf(taskId).orElseThrow().fid();
        // Mithril takes the next cancel of this bid (204) and keeps the bid running
        emulator.admin("POST", "/_emulator/faults", """
                {"method": "DELETE", "path_pattern": "/v2/spot/bids/%s", "ignore": true, "count": 1}"""
                .formatted(bidFid));
        double resentBefore = resent();

        asAlice().delete("/v1/tasks/" + taskId).then().statusCode(202).body("cancel_requested", equalTo(true));
        assertThat(mithril().getBid(bidFid).await().atMost(WAIT).status()).isEqualTo(BidStatus.ALLOCATED);
        assertThat(emulator.admin("GET", "/_emulator/faults", null)).contains("\"fired\":1");
        asAlice().get("/v1/tasks/" + taskId).then().body("status", equalTo("running"));

        await().atMost(WAIT).until(() -> mithril().getBid(bidFid).await().atMost(WAIT).status()
                == BidStatus.TERMINATED);
        // the re-send is counted and recorded once Mithril answered it, which may be after the bid ended there
        await().atMost(WAIT).until(() -> resent() >= resentBefore + 1);
        await().atMost(WAIT).until(() -> row(taskId).getInteger("stop_resends") >= 1);
        assertThat(resent()).isEqualTo(resentBefore + 1);
        assertThat(row(taskId).getInteger("stop_resends")).isEqualTo(1);
        // the re-sent stop took: the next look sees the bid ended and sends nothing more
        await().atMost(WAIT).until(() -> row(taskId).getOffsetDateTime("stop_took_at") != null);
        assertThat(row(taskId).getInteger("stop_resends")).isEqualTo(1);
        assertThat(resent()).isEqualTo(resentBefore + 1);
    }

    @Test
    void aStopThatTookIsNotResent() {
        String taskId = RunningTasks.submitAndRun(kafka, """
                {"name": "%s", "instance_type": "a100", "command": "sleep 600"}""".formatted(uniqueName("stops")));
        String bidFid = bidOf(taskId).orElseThrow().fid();
        double resentBefore = resent();

        asAlice().delete("/v1/tasks/" + taskId).then().statusCode(202);
        assertThat(mithril().getBid(bidFid).await().atMost(WAIT).status()).isEqualTo(BidStatus.TERMINATED);
        // still running in the read model (no poller here), so the sweep looks at it, and finds the bid ended
        await().atMost(WAIT).until(() -> row(taskId).getOffsetDateTime("stop_took_at") != null);
        asAlice().get("/v1/tasks/" + taskId).then().body("status", equalTo("running"));
        assertThat(row(taskId).getInteger("stop_resends")).isZero();
        assertThat(resent()).isEqualTo(resentBefore);
    }

    private double resent() {
        Counter counter = registry.find("flow.stops.resent").counter();
        return counter == null ? 0 : counter.count();
    }

    private Row row(String taskId) {
        return pool.preparedQuery("SELECT stop_resends, stop_took_at FROM submitter.task WHERE id = $1")
                .execute(Tuple.of(taskId)).await().atMost(WAIT).iterator().next();
    }
}
