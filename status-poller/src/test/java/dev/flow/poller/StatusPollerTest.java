package dev.flow.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Bid;
import dev.flow.model.event.BidPlaced;
import dev.flow.model.event.CancelRequested;
import dev.flow.model.event.ResubmitTask;
import dev.flow.model.event.TaskResubmitted;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.event.WorkloadExited;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.model.task.TaskConfig;
import dev.flow.model.task.TaskConfigs;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.tracing.TraceParents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;

/**
 * The poller running on its own (a cycle every 200 ms) against the real emulator and Kafka: bids placed with the
 * MithrilClient as the submitter would, lifecycle events published with the KafkaCompanion, status read back from
 * {@code flow.task.status} as CloudEvents.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(JwtTestResource.class)
class StatusPollerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PROJECT = "flow-dev";

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @InjectMithrilEmulator
    MithrilEmulator emulator;

    @Inject
    MithrilClient mithril;

    PollerFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new PollerFixture(mithril, kafka);
    }

    @Test
    void aRealWorkloadGoesPendingToRunningWithItsNodeAndSshEndpointThenFailsWithItsExitCode() {
        String taskId = PollerFixture.newTaskId();
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        Bid bid = fixture.submit(taskId, PROJECT, "a100-80gb.sxm.1x", "us-central1-a", "$50.00", 1,
                PollerFixture.workloadScript(taskId, "echo hello; sleep 2"));

        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).stream()
                .anyMatch(c -> c.to() == TaskStatus.RUNNING));
        List<TaskStatusChanged> changes = PollerFixture.changesOf(status, taskId);
        TaskStatusChanged first = changes.getFirst();
        assertThat(first.from()).isNull();
        assertThat(first.to()).isEqualTo(TaskStatus.PENDING);
        assertThat(first.reason()).isEqualTo(TransitionReason.SUBMITTED);

        TaskStatusChanged running = changes.stream().filter(c -> c.to() == TaskStatus.RUNNING).findFirst().orElseThrow();
        assertThat(running.from()).isEqualTo(TaskStatus.PENDING);
        assertThat(running.reason()).isEqualTo(TransitionReason.ALLOCATED);
        assertThat(running.bidFid()).isEqualTo(bid.fid());
        assertThat(running.region()).isEqualTo("us-central1-a");
        assertThat(running.numInstances()).isEqualTo(1);
        assertThat(running.instances()).hasSize(1);
        InstanceInfo node = running.instances().getFirst();
        assertThat(node.fid()).startsWith("inst_");
        assertThat(node.node()).isZero();
        assertThat(node.status()).isEqualTo("STATUS_RUNNING");
        assertThat(node.sshHost()).isEqualTo("127.0.0.1");
        assertThat(node.sshPort()).isPositive();
        // the emulator's own view of the instance agrees on the SSH port
        assertThat(fixture.instances(PROJECT, bid.fid()).getFirst().sshDestination())
                .isEqualTo("127.0.0.1:" + node.sshPort());
        // once allocated the price is the market's spot price, never above the bid's limit
        assertThat(running.pricePerHour()).isNotNull();
        assertThat(running.pricePerHour().compareTo(Money.parse("$50.00"))).isNegative();
        // `at` is Mithril's time of the transition, not when the poller noticed
        assertThat(running.at()).isBeforeOrEqualTo(running.observedAt());
        assertThat(running.at()).isAfterOrEqualTo(first.at());

        // the workload exits 3: the log streamer would say so and the submitter cancel the bid
        fixture.publish(new WorkloadExited(taskId, 0, 3, Instant.now()));
        fixture.cancel(bid.fid());
        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).getLast().to().isTerminal());
        TaskStatusChanged end = PollerFixture.changesOf(status, taskId).getLast();
        assertThat(end.from()).isEqualTo(TaskStatus.RUNNING);
        assertThat(end.to()).isEqualTo(TaskStatus.FAILED);
        assertThat(end.reason()).isEqualTo(TransitionReason.workloadExit(3));
        assertThat(end.reason().toString()).isEqualTo("WORKLOAD_EXIT(3)");

        // every record is a CloudEvent keyed by the task
        for (ConsumerRecord<String, byte[]> record : PollerFixture.recordsOf(status, taskId)) {
            Map<String, String> headers = CloudEventRecords.headersOf(record);
            assertThat(headers).containsEntry("ce_specversion", "1.0")
                    .containsEntry("ce_type", "dev.flow.task.status.changed.v1")
                    .containsEntry("ce_source", "/flow/status-poller")
                    .containsEntry("ce_subject", taskId)
                    .containsKey("ce_id");
            assertThat(CloudEventRecords.fromRecord(record)).containsInstanceOf(TaskStatusChanged.class);
        }
        status.stop();
    }

    @Test
    void theTasksStatusEventsContinueTheTraceItsTaskSubmittedCameWith() {
        String taskId = PollerFixture.newTaskId();
        String traceId = UUID.randomUUID().toString().replace("-", "");
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        fixture.submit(taskId, PROJECT, "a100-80gb.sxm.1x", "us-central1-a", "$50.00", 1,
                PollerFixture.workloadScript(taskId, "sleep 30"), null, "00-" + traceId + "-00f067aa0ba902b7-01");

        // pending (published while the TaskSubmitted is consumed) and running (seen by a later polling cycle)
        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).stream()
                .anyMatch(c -> c.to() == TaskStatus.RUNNING));
        List<ConsumerRecord<String, byte[]>> records = PollerFixture.recordsOf(status, taskId);
        assertThat(records).hasSizeGreaterThanOrEqualTo(2);
        for (ConsumerRecord<String, byte[]> record : records) {
            assertThat(TraceParents.fromHeaders(record.headers())).as("traceparent of %s", record)
                    .hasValueSatisfying(traceparent -> {
                        assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
                        // a child span of the task's trace, not the submitter's span itself
                        assertThat(traceparent.split("-")[1]).isEqualTo(traceId);
                        assertThat(traceparent.split("-")[2]).isNotEqualTo("00f067aa0ba902b7");
                    });
        }
        status.stop();
    }

    @Test
    void aWorkloadThatExitsZeroCompletes() {
        String taskId = PollerFixture.newTaskId();
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        Bid bid = fixture.submit(taskId, PROJECT, "h100-80gb.sxm.1x", "us-central1-a", "$50.00", 1,
                PollerFixture.workloadScript(taskId, "echo done"));
        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).stream()
                .anyMatch(c -> c.to() == TaskStatus.RUNNING));

        fixture.publish(new WorkloadExited(taskId, 0, 0, Instant.now()));
        fixture.cancel(bid.fid());

        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).getLast().to().isTerminal());
        TaskStatusChanged end = PollerFixture.changesOf(status, taskId).getLast();
        assertThat(end.to()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(end.reason()).isEqualTo(TransitionReason.workloadExit(0));
        assertThat(end.instances()).extracting(InstanceInfo::status).containsOnly("STATUS_TERMINATED");
        status.stop();
    }

    @Test
    void aPreemptedTaskGoesPreemptingThenRunsAgainOnNewInstances() {
        String taskId = PollerFixture.newTaskId();
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        Bid bid = fixture.submit(taskId, PROJECT, "a100-80gb.sxm.2x", "us-central1-b", "$80.00", 2, null);
        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).stream()
                .anyMatch(c -> c.to() == TaskStatus.RUNNING));
        TaskStatusChanged firstRun = PollerFixture.changesOf(status, taskId).stream()
                .filter(c -> c.to() == TaskStatus.RUNNING).findFirst().orElseThrow();
        assertThat(firstRun.instances()).extracting(InstanceInfo::node).containsExactly(0, 1);
        Set<String> firstFids = fids(firstRun);

        emulator.preemptBid(bid.fid());

        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).stream()
                .filter(c -> c.to() == TaskStatus.RUNNING).count() == 2);
        List<TaskStatusChanged> changes = PollerFixture.changesOf(status, taskId);
        List<TaskStatus> path = changes.stream().map(TaskStatusChanged::to).toList();
        int preempting = path.indexOf(TaskStatus.PREEMPTING);
        assertThat(preempting).as("path %s", path).isPositive();
        TaskStatusChanged notice = changes.get(preempting);
        assertThat(notice.from()).isEqualTo(TaskStatus.RUNNING);
        assertThat(notice.reason()).isEqualTo(TransitionReason.PREEMPTED);
        assertThat(fids(notice)).isEqualTo(firstFids);

        TaskStatusChanged secondRun = changes.getLast();
        assertThat(secondRun.to()).isEqualTo(TaskStatus.RUNNING);
        assertThat(secondRun.reason()).isEqualTo(TransitionReason.ALLOCATED);
        assertThat(secondRun.instances()).hasSize(2).allSatisfy(i -> assertThat(i.sshPort()).isPositive());
        assertThat(fids(secondRun)).doesNotContainAnyElementsOf(firstFids);
        // events are in time order
        assertThat(changes).extracting(TaskStatusChanged::at).isSorted();
        fixture.cancel(bid.fid());
        status.stop();
    }

    @Test
    void aUserCancelEndsCancelled() {
        String taskId = PollerFixture.newTaskId();
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        Bid bid = fixture.submit(taskId, PROJECT, "ccs-h200.sxm.1x", "us-central1-a", "$50.00", 1, null);
        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).stream()
                .anyMatch(c -> c.to() == TaskStatus.RUNNING));

        fixture.publish(new CancelRequested(taskId, TransitionReason.USER_CANCEL, "alice", Instant.now()));
        fixture.cancel(bid.fid());

        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).getLast().to().isTerminal());
        TaskStatusChanged end = PollerFixture.changesOf(status, taskId).getLast();
        assertThat(end.to()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(end.reason()).isEqualTo(TransitionReason.USER_CANCEL);
        assertThat(end.from()).isEqualTo(TaskStatus.RUNNING);
        status.stop();
    }

    @Test
    void aStopCommandGivesItsReasonEvenBeforeAllocation() {
        String taskId = PollerFixture.newTaskId();
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        // a limit far below the market: the bid stays Open
        Bid bid = fixture.submit(taskId, PROJECT, "b200-192gb.sxm.1x", "us-central1-a", "$0.01", 1, null);
        await().atMost(WAIT).until(() -> !PollerFixture.changesOf(status, taskId).isEmpty());

        fixture.publish(new StopTask(taskId, TransitionReason.BUDGET_STOP, "cost-accountant", Instant.now()));
        fixture.cancel(bid.fid());

        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).getLast().to().isTerminal());
        List<TaskStatusChanged> changes = PollerFixture.changesOf(status, taskId);
        assertThat(changes).extracting(TaskStatusChanged::to).containsExactly(TaskStatus.PENDING, TaskStatus.CANCELLED);
        assertThat(changes.getLast().reason()).isEqualTo(TransitionReason.BUDGET_STOP);
        // never allocated: nothing was paid (the limit is not a price paid)
        assertThat(changes.getLast().pricePerHour()).isEqualTo(Money.ZERO);
        status.stop();
    }

    @Test
    void aTaskRunningPastItsMaxRunTimeIsStoppedOnceAndEndsCancelledMaxRuntime() {
        String taskId = PollerFixture.newTaskId();
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        ConsumerTask<String, byte[]> commands = fixture.records(Topics.TASK_COMMANDS);
        // 0.01 h = 36 s of running allowed (the shortest limit a TaskConfig accepts)
        TaskConfig config = TaskConfigs.parse(
                "{\"command\": \"sleep 600\", \"instance_type\": \"a100\", \"max_run_time_hours\": 0.01}");
        Bid bid = fixture.submit(taskId, PROJECT, "a100-80gb.sxm.1x", "us-central1-a", "$50.00", 1,
                PollerFixture.workloadScript(taskId, "sleep 600"), config);
        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).stream()
                .anyMatch(c -> c.to() == TaskStatus.RUNNING));
        TaskStatusChanged running = PollerFixture.changesOf(status, taskId).stream()
                .filter(c -> c.to() == TaskStatus.RUNNING).findFirst().orElseThrow();

        await().atMost(WAIT.plusSeconds(60)).until(() -> !stopsOf(commands, taskId).isEmpty());
        StopTask stop = stopsOf(commands, taskId).getFirst();
        assertThat(stop.reason()).isEqualTo(TransitionReason.MAX_RUNTIME);
        assertThat(stop.requestedBy()).isEqualTo("status-poller");
        // asked only once the allowed run time since it started running had passed
        assertThat(stop.at()).isAfterOrEqualTo(running.at().plusSeconds(36));
        // the poller never cancels at Mithril itself
        assertThat(mithril.getBid(bid.fid()).await().atMost(WAIT).status())
                .isNotEqualTo(dev.flow.mithril.client.model.BidStatus.TERMINATED);

        // the submitter cancels the bid on the StopTask
        fixture.cancel(bid.fid());
        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).getLast().to().isTerminal());
        TaskStatusChanged end = PollerFixture.changesOf(status, taskId).getLast();
        assertThat(end.from()).isEqualTo(TaskStatus.RUNNING);
        assertThat(end.to()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(end.reason()).isEqualTo(TransitionReason.MAX_RUNTIME);
        // every cycle between the stop and the end saw the task out of time: still one command
        assertThat(stopsOf(commands, taskId)).hasSize(1);
        commands.stop();
        status.stop();
    }

    @Test
    void aBidNamedLikeOursWithoutATaskIsReportedThenStoppedOnceAsAnOrphan() {
        String orphanId = PollerFixture.newTaskId();
        String resubmittedOrphanId = PollerFixture.newTaskId();
        ConsumerTask<String, byte[]> commands = fixture.records(Topics.TASK_COMMANDS);
        // a crashed submit: the bid exists at Mithril, no TaskSubmitted was ever published (limits below the market:
        // the bids stay Open and cost nothing while the test runs)
        Bid orphan = fixture.placeBid("flow-" + orphanId, PROJECT, "a100-80gb.sxm.1x", "us-central2-a", "$0.01", 1);
        Bid orphanRetry = fixture.placeBid("flow-" + resubmittedOrphanId + "-r2", PROJECT, "a100-80gb.sxm.1x",
                "us-central2-a", "$0.01", 1);

        // reported while in its grace period (names only in the health data)
        await().atMost(WAIT).until(() -> given().when().get("/q/health/ready").then().extract().asString()
                .contains("flow-" + orphanId));
        // then stopped through the submitter, once each
        await().atMost(WAIT).until(() -> stopsOf(commands, orphanId).size() == 1
                && stopsOf(commands, resubmittedOrphanId).size() == 1);
        StopTask stop = stopsOf(commands, orphanId).getFirst();
        assertThat(stop.reason()).isEqualTo(TransitionReason.ORPHAN);
        assertThat(stop.requestedBy()).isEqualTo("status-poller");
        assertThat(stopsOf(commands, resubmittedOrphanId).getFirst().reason()).isEqualTo(TransitionReason.ORPHAN);
        // later cycles still see the live bids but do not ask again
        await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> stopsOf(commands, orphanId).size() == 1
                && stopsOf(commands, resubmittedOrphanId).size() == 1);
        String metrics = given().auth().oauth2(OPERATOR).when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("flow_poller_orphan_stops_total").contains("flow_poller_orphan_bids");
        // the poller never cancels at Mithril itself
        assertThat(mithril.getBid(orphan.fid()).await().atMost(WAIT).status())
                .isNotEqualTo(dev.flow.mithril.client.model.BidStatus.TERMINATED);

        // the submitter cancels them by name; the report clears
        fixture.cancel(orphan.fid());
        fixture.cancel(orphanRetry.fid());
        await().atMost(WAIT).until(() -> !given().when().get("/q/health/ready").then().extract().asString()
                .contains(orphanId));
        commands.stop();
    }

    @Test
    void aTaskThatOptedInIsResubmittedOnPreemptionThenEndsPreemptedPastItsMaxRestarts() {
        String taskId = PollerFixture.newTaskId();
        String type = "b200-192gb.sxm.1x";
        String region = "eu-central1-a";
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        ConsumerTask<String, byte[]> commands = fixture.records(Topics.TASK_COMMANDS);
        TaskConfig config = TaskConfigs.parse("{\"command\": \"sleep 600\", \"instance_type\": \"b200\", "
                + "\"retry\": {\"on_preemption\": true, \"max_restarts\": 1}}");
        Bid first = fixture.submit(taskId, PROJECT, type, region, "$50.00", 1, null, config);
        try {
            await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).stream()
                    .anyMatch(c -> c.to() == TaskStatus.RUNNING));
            Set<String> firstFids = fids(PollerFixture.changesOf(status, taskId).stream()
                    .filter(c -> c.to() == TaskStatus.RUNNING).findFirst().orElseThrow());

            // the market moves above the bid's limit: preempted, and the bid is not re-allocated
            emulator.setSpotPrice(type, region, "$60.00");
            await().atMost(WAIT).until(() -> resubmitsOf(commands, taskId).size() == 1);
            List<TaskStatusChanged> beforeResubmit = PollerFixture.changesOf(status, taskId);
            assertThat(beforeResubmit.getLast().to()).isEqualTo(TaskStatus.PENDING);
            assertThat(beforeResubmit.getLast().reason()).isEqualTo(TransitionReason.PREEMPTED);
            assertThat(resubmitsOf(commands, taskId).getFirst().reason()).isEqualTo(TransitionReason.PREEMPTED);

            // as the submitter: a new bid flow-<task>-r1, TaskResubmitted then BidPlaced, the old bid cancelled
            Bid second = fixture.placeBid("flow-" + taskId + "-r1", PROJECT, type, region, "$80.00", 1);
            Instant now = Instant.now();
            fixture.publish(new TaskResubmitted(taskId, 1, first.fid(), second.fid(), now));
            fixture.publish(new BidPlaced(taskId, second.fid(), PROJECT, region, second.instanceType(),
                    Money.parse("$80.00"), now));
            fixture.cancel(first.fid());

            await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).stream()
                    .filter(c -> c.to() == TaskStatus.RUNNING).count() == 2);
            List<TaskStatusChanged> changes = PollerFixture.changesOf(status, taskId);
            TaskStatusChanged picked = changes.get(beforeResubmit.size());
            assertThat(picked.from()).isEqualTo(TaskStatus.PENDING);
            assertThat(picked.reason()).isEqualTo(TransitionReason.RESUBMITTED);
            assertThat(picked.bidFid()).isEqualTo(second.fid());
            assertThat(picked.restartCount()).isEqualTo(1);
            TaskStatusChanged rerun = changes.getLast();
            assertThat(rerun.bidFid()).isEqualTo(second.fid());
            assertThat(rerun.restartCount()).isEqualTo(1);
            assertThat(rerun.instances()).isNotEmpty();
            assertThat(fids(rerun)).doesNotContainAnyElementsOf(firstFids);
            // one request for that preemption, none while the new bid runs
            assertThat(resubmitsOf(commands, taskId)).hasSize(1);

            // preempted again, with no restart left: the poller asks to stop it instead
            emulator.setSpotPrice(type, region, "$90.00");
            await().atMost(WAIT).until(() -> stopsOf(commands, taskId).size() == 1);
            assertThat(stopsOf(commands, taskId).getFirst().reason()).isEqualTo(TransitionReason.PREEMPTED);
            assertThat(resubmitsOf(commands, taskId)).hasSize(1);
            fixture.cancel(second.fid());
            await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).getLast().to().isTerminal());
            TaskStatusChanged end = PollerFixture.changesOf(status, taskId).getLast();
            assertThat(end.to()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(end.reason()).isEqualTo(TransitionReason.PREEMPTED);
            assertThat(end.restartCount()).isEqualTo(1);
            // every step once, in order: each event starts where the previous one ended
            List<TaskStatusChanged> all = PollerFixture.changesOf(status, taskId);
            for (int k = 1; k < all.size(); k++) {
                assertThat(all.get(k).from()).isEqualTo(all.get(k - 1).to());
            }
            assertThat(all).extracting(TaskStatusChanged::at).isSorted();
        } finally {
            emulator.admin("PUT", "/_emulator/spot-price", "{\"instance_type\":\"" + type + "\",\"region\":\""
                    + region + "\",\"price\":null}");
            status.stop();
            commands.stop();
        }
    }

    private static List<ResubmitTask> resubmitsOf(ConsumerTask<String, byte[]> commands, String taskId) {
        return PollerFixture.recordsOf(commands, taskId).stream()
                .map(r -> CloudEventRecords.fromRecord(r).orElse(null))
                .filter(ResubmitTask.class::isInstance).map(ResubmitTask.class::cast).toList();
    }

    private static List<StopTask> stopsOf(ConsumerTask<String, byte[]> commands, String taskId) {
        return PollerFixture.recordsOf(commands, taskId).stream()
                .map(r -> CloudEventRecords.fromRecord(r).orElse(null))
                .filter(StopTask.class::isInstance).map(StopTask.class::cast).toList();
    }

    @Test
    void anInstanceFailingAtTheProviderFailsTheTaskAndAsksTheSubmitterToStopTheBid() {
        String taskId = PollerFixture.newTaskId();
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        ConsumerTask<String, byte[]> commands = fixture.records(Topics.TASK_COMMANDS);
        Bid bid = fixture.submit(taskId, PROJECT, "b200-192gb.sxm.1x", "us-central2-a", "$90.00", 1, null);
        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).stream()
                .anyMatch(c -> c.to() == TaskStatus.RUNNING));

        emulator.admin("POST", "/_emulator/bids/" + bid.fid() + "/fail", null);

        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).getLast().to().isTerminal());
        TaskStatusChanged end = PollerFixture.changesOf(status, taskId).getLast();
        assertThat(end.to()).isEqualTo(TaskStatus.FAILED);
        assertThat(end.reason()).isEqualTo(TransitionReason.PROVIDER_ERROR);
        assertThat(end.instances()).extracting(InstanceInfo::status).containsOnly("STATUS_ERROR");
        // the poller never cancels at Mithril itself: it asks the submitter
        await().atMost(WAIT).until(() -> !PollerFixture.recordsOf(commands, taskId).isEmpty());
        ConsumerRecord<String, byte[]> command = PollerFixture.recordsOf(commands, taskId).getFirst();
        assertThat(CloudEventRecords.fromRecord(command)).get().isInstanceOfSatisfying(StopTask.class,
                stop -> assertThat(stop.reason()).isEqualTo(TransitionReason.PROVIDER_ERROR));
        assertThat(CloudEventRecords.headersOf(command)).containsEntry("ce_type", "dev.flow.task.command.stop.v1");
        assertThat(mithril.getBid(bid.fid()).await().atMost(WAIT).status())
                .isNotEqualTo(dev.flow.mithril.client.model.BidStatus.TERMINATED);
        commands.stop();
        status.stop();
        fixture.cancel(bid.fid());
    }

    @Test
    void readinessFollowsMithrilAndNoTransitionIsLostDuringAnOutage() {
        String taskId = PollerFixture.newTaskId();
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        Bid bid = fixture.submit(taskId, PROJECT, "h100-80gb.sxm.1x", "us-central1-b", "$0.01", 1, null);
        await().atMost(WAIT).until(() -> !PollerFixture.changesOf(status, taskId).isEmpty());
        given().when().get("/q/health/ready").then().statusCode(200);

        // every read fails: the sweep's lists as well as a delta cycle's history and single bids
        emulator.fail("GET", "/v2/**", 503, null, 1_000_000);
        try {
            fixture.publish(new CancelRequested(taskId, TransitionReason.USER_CANCEL, "alice", Instant.now()));
            fixture.cancel(bid.fid());
            await().atMost(WAIT).untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(503));
            assertThat(PollerFixture.changesOf(status, taskId)).extracting(TaskStatusChanged::to)
                    .containsExactly(TaskStatus.PENDING);
        } finally {
            emulator.clearFaults();
        }

        await().atMost(WAIT).untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(200));
        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).getLast().to().isTerminal());
        TaskStatusChanged end = PollerFixture.changesOf(status, taskId).getLast();
        assertThat(end.to()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(end.reason()).isEqualTo(TransitionReason.USER_CANCEL);
        status.stop();
    }

    /** Prometheus scrapes with a token of the platform operator's group; no tenant token carries it. */
    private static final String OPERATOR = DevJwt.shared().operatorToken("prometheus");

    @Test
    void metricsAreForTheOperatorOnly() {
        given().get("/q/metrics").then().statusCode(401);
        // an admin is a tenant role (its own projects' budgets), not the operator's: refused with the platform's
        // forbidden answer, a 404 (service-support's mapper)
        given().auth().oauth2(DevJwt.shared().adminToken("root", List.of("flow-dev"))).get("/q/metrics")
                .then().statusCode(404);
        given().auth().oauth2(DevJwt.shared().token("prometheus", List.of(), Set.of(DevJwt.OPERATOR_GROUP),
                Duration.ofHours(1), "another-audience")).get("/q/metrics").then().statusCode(401);
        given().auth().oauth2(OPERATOR).get("/q/metrics").then().statusCode(200);
        // health stays open for the kubelet
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void metricsCountCyclesCallsAndTransitions() {
        await().atMost(WAIT).untilAsserted(() -> {
            String metrics = given().auth().oauth2(OPERATOR).when().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics).contains("flow_poller_cycles_total").contains("flow_poller_mithril_calls")
                    .contains("flow_poller_transitions_total");
        });
    }

    private static Set<String> fids(TaskStatusChanged change) {
        return change.instances().stream().map(InstanceInfo::fid).collect(Collectors.toSet());
    }
}
