package dev.flow.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.HistoryQuery;
import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstanceStatus;
import dev.flow.mithril.client.model.InstanceStatusHistory;
import dev.flow.model.event.CancelRequested;
import dev.flow.model.event.TaskSnapshot;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.event.WorkloadExited;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.poller.domain.TaskRegistry;
import dev.flow.poller.domain.TaskView;
import dev.flow.poller.messaging.StateTopic;
import dev.flow.poller.service.CycleReport;
import dev.flow.poller.service.DeltaPolling;
import dev.flow.poller.service.StatusPoller;
import dev.flow.service.messaging.CloudEventRecords;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The polling cycle run by hand, one {@link StatusPoller#pollOnce()} at a time, so a test can count the Mithril calls
 * of a cycle, let things happen between two polls, and restart the poller's state in between.
 */
@QuarkusTest
@TestProfile(ManualCyclesProfile.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
class PollingCycleTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    // a project of its own, so the tasks of other test classes do not share its lists
    private static final String PROJECT = "flow-other";

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @InjectMithrilEmulator
    MithrilEmulator emulator;

    @Inject
    MithrilClient mithril;

    @Inject
    StatusPoller poller;

    @Inject
    TaskRegistry registry;

    @Inject
    StateTopic stateTopic;

    @Inject
    DeltaPolling delta;

    PollerFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new PollerFixture(mithril, kafka);
    }

    private CycleReport poll() {
        return poller.pollOnce().await().atMost(WAIT);
    }

    /**
     * Polls until a cycle publishes nothing, then returns the emulator's counters (by endpoint) of one more quiet
     * cycle: a sweep of every project's lists if {@code sweep}, else a delta cycle.
     */
    private Map<String, Long> callsOfAQuietCycle(boolean sweep) {
        await().atMost(WAIT).until(() -> poll().transitions() == 0);
        if (sweep) {
            delta.requestSweep();
        }
        Map<String, Long> before = PollerFixture.requestCounters(emulator);
        CycleReport report = poll();
        Map<String, Long> after = PollerFixture.requestCounters(emulator);
        assertThat(report.transitions()).isZero();
        assertThat(report.failed()).isFalse();
        assertThat(report.sweeps()).as("projects swept").isEqualTo(sweep ? projectsWithTasks() : 0);
        Map<String, Long> calls = new java.util.TreeMap<>();
        after.forEach((endpoint, n) -> {
            long made = n - before.getOrDefault(endpoint, 0L);
            if (made > 0) {
                calls.put(endpoint, made);
            }
        });
        assertThat(calls.values().stream().mapToLong(Long::longValue).sum())
                .as("the poller's own count matches the emulator's").isEqualTo(report.mithrilCalls());
        return calls;
    }

    private long getCallsOfAQuietCycle() {
        return callsOfAQuietCycle(false).values().stream().mapToLong(Long::longValue).sum();
    }

    private int projectsWithTasks() {
        return registry.activeByProject().size();
    }

    @Test
    void mithrilCallsPerCycleDoNotGrowWithTheNumberOfTasks() {
        // limits far below the market: the bids stay Open and nothing changes between cycles
        List<Bid> bids = new ArrayList<>();
        String first = PollerFixture.newTaskId();
        bids.add(fixture.submit(first, PROJECT, "a100-80gb.sxm.1x", "eu-central1-a", "$0.01", 1, null));
        await().atMost(WAIT).until(() -> registry.view(first).map(TaskView::bidFid).isPresent());
        long withOne = getCallsOfAQuietCycle();

        List<String> more = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            String taskId = PollerFixture.newTaskId();
            more.add(taskId);
            bids.add(fixture.submit(taskId, PROJECT, "a100-80gb.sxm.1x", "eu-central1-a", "$0.01", 1, null));
        }
        await().atMost(WAIT).until(() -> more.stream()
                .allMatch(t -> registry.view(t).map(TaskView::bidFid).isPresent()));
        long withTwentyOne = getCallsOfAQuietCycle();

        assertThat(withTwentyOne).isEqualTo(withOne);
        // a delta cycle: per project with tasks, one page of its instance status history since the last cycle (the
        // changes it already saw in the overlap are not read again); a project read for orphans only, one bid page
        Map<String, Long> quiet = callsOfAQuietCycle(false);
        assertThat(quiet.get("GET /v2/instances/status/history")).isEqualTo(projectsWithTasks());
        assertThat(quiet.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(poll().projects());
        // the sweep, the safety net every flow.poller.sweep-every cycles: per project, one page of bids and one
        // page of instances, for 21 tasks as for one
        Map<String, Long> sweep = callsOfAQuietCycle(true);
        assertThat(sweep).doesNotContainKey("GET /v2/instances/status/history");
        assertThat(sweep.values().stream().mapToLong(Long::longValue).sum())
                .isLessThanOrEqualTo(2L * poll().projects());

        bids.forEach(b -> fixture.cancel(b.fid()));
        more.forEach(t -> fixture.publish(new CancelRequested(t, TransitionReason.USER_CANCEL, "test", Instant.now())));
        fixture.publish(new CancelRequested(first, TransitionReason.USER_CANCEL, "test", Instant.now()));
    }

    @Test
    void aRateLimitedCallIsRetriedInsideTheCycle() {
        String taskId = PollerFixture.newTaskId();
        Bid bid = fixture.submit(taskId, PROJECT, "a100-80gb.sxm.2x", "eu-central1-a", "$0.01", 1, null);
        await().atMost(WAIT).until(() -> registry.view(taskId).map(TaskView::bidFid).isPresent());
        poll();

        // the call every delta cycle makes
        emulator.fail("GET", "/v2/instances/status/history", 429, 1, 1);
        try {
            Map<String, Long> before = PollerFixture.requestCounters(emulator);
            CycleReport report = poll();
            Map<String, Long> after = PollerFixture.requestCounters(emulator);
            assertThat(report.failed()).isFalse();
            assertThat(poller.consecutiveFailedCycles()).isZero();
            long calls = after.entrySet().stream()
                    .mapToLong(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L)).sum();
            // the emulator saw the 429 and the client's retry after Retry-After; the poller counts one call
            assertThat(calls).isEqualTo(report.mithrilCalls() + 1L);
        } finally {
            emulator.clearFaults();
        }
        fixture.publish(new CancelRequested(taskId, TransitionReason.USER_CANCEL, "test", Instant.now()));
        fixture.cancel(bid.fid());
    }

    @Test
    void aShortTaskThatRanAndEndedBetweenTwoPollsStillShowsRunningWithMithrilsTimes() {
        String taskId = PollerFixture.newTaskId();
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        Bid bid = fixture.submit(taskId, PROJECT, "h100-80gb.sxm.1x", "us-central2-a", "$50.00", 1,
                PollerFixture.workloadScript(taskId, "echo hello"));
        await().atMost(WAIT).until(() -> registry.view(taskId).map(TaskView::status).isPresent());
        poll();
        assertThat(registry.view(taskId).orElseThrow().status()).isEqualTo(TaskStatus.PENDING);

        // between two polls: the node boots and runs, the workload exits 0, the bid is cancelled
        await().atMost(WAIT).until(() -> fixture.instances(PROJECT, bid.fid()).stream()
                .anyMatch(i -> i.status() == InstanceStatus.STATUS_RUNNING));
        fixture.publish(new WorkloadExited(taskId, 0, 0, Instant.now()));
        await().atMost(WAIT).until(() -> registry.view(taskId).map(TaskView::exitCode).isPresent());
        fixture.cancel(bid.fid());

        poll();
        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).stream()
                .anyMatch(c -> c.to().isTerminal()));
        List<TaskStatusChanged> changes = PollerFixture.changesOf(status, taskId);
        List<TaskStatusChanged> lastTwo = changes.subList(changes.size() - 2, changes.size());
        assertThat(lastTwo).extracting(TaskStatusChanged::from).containsExactly(TaskStatus.PENDING, TaskStatus.RUNNING);
        assertThat(lastTwo).extracting(TaskStatusChanged::to).containsExactly(TaskStatus.RUNNING, TaskStatus.COMPLETED);
        assertThat(lastTwo.getLast().reason()).isEqualTo(TransitionReason.workloadExit(0));

        // the times are Mithril's: when the node entered RUNNING, when the bid was terminated
        String projectFid = fixture.projectFid(PROJECT);
        Instance node = fixture.instances(PROJECT, bid.fid()).getFirst();
        InstanceStatusHistory history = mithril.instanceStatusHistoryPage(HistoryQuery.forInstance(projectFid, node.fid()))
                .await().atMost(WAIT).data().getFirst();
        Instant runningAt = history.events().stream().filter(e -> e.status() == InstanceStatus.STATUS_RUNNING)
                .map(InstanceStatusHistory.Event::timestamp).findFirst().orElseThrow();
        Bid terminated = mithril.getBid(bid.fid()).await().atMost(WAIT);
        assertThat(lastTwo.getFirst().at()).isEqualTo(runningAt);
        assertThat(lastTwo.getLast().at()).isEqualTo(terminated.deactivatedAt());
        assertThat(lastTwo.getFirst().instances()).extracting(i -> i.fid()).containsExactly(node.fid());
        status.stop();
    }

    @Test
    void aBidEndedAtMithrilWithoutAnInstanceChangeIsSeenByTheSweep() {
        String taskId = PollerFixture.newTaskId();
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        // far below the market: the bid stays Open, no instance is ever created
        Bid bid = fixture.submit(taskId, PROJECT, "a100-80gb.sxm.4x", "eu-central1-a", "$0.01", 1, null);
        await().atMost(WAIT).until(() -> registry.view(taskId).map(TaskView::bidFid).isPresent());
        poll();
        assertThat(registry.view(taskId).orElseThrow().status()).isEqualTo(TaskStatus.PENDING);

        // cancelled at Mithril by hand: no CancelRequested, and no instance whose history could show it
        fixture.cancel(bid.fid());
        for (int k = 0; k < 3; k++) {
            assertThat(poll().sweeps()).isZero();
        }
        assertThat(registry.view(taskId).orElseThrow().unexplainedTerminationSeenAt())
                .as("the delta cycles cannot see it").isNull();

        // the sweep lists the project's bids: the termination is seen, waits for a cause (none comes), then closes
        delta.requestSweep();
        assertThat(poll().sweeps()).isEqualTo(projectsWithTasks());
        assertThat(registry.view(taskId).orElseThrow().unexplainedTerminationSeenAt()).isNotNull();
        // from now on the task is read every delta cycle until it ends
        await().atMost(WAIT).until(() -> {
            poll();
            return registry.isClosed(taskId);
        });
        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, taskId).stream()
                .anyMatch(c -> c.to().isTerminal()));
        TaskStatusChanged end = PollerFixture.changesOf(status, taskId).getLast();
        assertThat(end.to()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(end.reason()).isEqualTo(TransitionReason.USER_CANCEL);
        assertThat(end.at()).isEqualTo(mithril.getBid(bid.fid()).await().atMost(WAIT).deactivatedAt());
        status.stop();
    }

    @Test
    void aRestartRebuildsFromTheStateTopicWithoutRepeatingTransitions() {
        String running = PollerFixture.newTaskId();
        String pending = PollerFixture.newTaskId();
        Bid runningBid = fixture.submit(running, PROJECT, "b200-192gb.sxm.1x", "us-central1-b", "$90.00", 1, null);
        Bid pendingBid = fixture.submit(pending, PROJECT, "ccs-h200.sxm.1x", "us-central2-a", "$0.01", 1, null);
        await().atMost(WAIT).until(() -> registry.view(running).map(TaskView::status).isPresent()
                && registry.view(pending).map(TaskView::status).isPresent());
        await().atMost(WAIT).until(() -> {
            poll();
            return registry.view(running).orElseThrow().status() == TaskStatus.RUNNING;
        });
        TaskView runningBefore = registry.view(running).orElseThrow();
        TaskView pendingBefore = registry.view(pending).orElseThrow();

        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, running).stream()
                .anyMatch(c -> c.to() == TaskStatus.RUNNING));
        int publishedBefore = PollerFixture.changesOf(status, running).size()
                + PollerFixture.changesOf(status, pending).size();

        // the workload of the running task exits 3 just before the restart; the submitter has not cancelled yet
        fixture.publish(new WorkloadExited(running, 0, 3, Instant.now()));
        await().atMost(WAIT).until(() -> registry.view(running).map(TaskView::exitCode).isPresent());

        // what a restart does: forget everything, read the compacted state topic back
        stateTopic.rebuild();
        // ... and the exit, which no snapshot carries, is read again from the lifecycle topic
        assertThat(registry.view(running).orElseThrow().exitCode()).isEqualTo(3);
        TaskView runningAfter = registry.view(running).orElseThrow();
        assertThat(runningAfter.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(runningAfter.version()).isEqualTo(runningBefore.version());
        assertThat(runningAfter.bidFid()).isEqualTo(runningBefore.bidFid());
        assertThat(runningAfter.instances()).isEqualTo(runningBefore.instances());
        assertThat(registry.view(pending).orElseThrow().status()).isEqualTo(pendingBefore.status());

        CycleReport afterRestart = poll();
        assertThat(afterRestart.failed()).isFalse();
        // a redelivered TaskSubmitted is a duplicate too
        fixture.publish(new dev.flow.model.event.TaskSubmitted(running, PROJECT, running, "b200-192gb.sxm.1x", 1,
                "us-central1-b", runningBid.limitPrice(), null, Instant.now()));
        // an event behind it on the same partition: once it took effect, the duplicate was handled
        fixture.publish(new CancelRequested(running, TransitionReason.MAX_RUNTIME, "test", Instant.now()));
        await().atMost(WAIT).until(() -> TransitionReason.MAX_RUNTIME.equals(registry.view(running).orElseThrow()
                .stopReason()));
        poll();
        // the state topic was created compacted by the poller and carries the latest snapshot of each task
        var resource = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, Topics.TASK_STATE);
        var topicConfig = kafka.getOrCreateAdminClient().describeConfigs(List.of(resource)).all()
                .toCompletionStage().toCompletableFuture().join().get(resource);
        assertThat(topicConfig.get("cleanup.policy").value()).isEqualTo("compact");
        ConsumerTask<String, byte[]> state = fixture.records(Topics.TASK_STATE);
        await().atMost(WAIT).until(() -> PollerFixture.recordsOf(state, running).stream()
                .map(r -> CloudEventRecords.fromRecord(r).orElseThrow())
                .anyMatch(e -> e instanceof TaskSnapshot s && s.status() == TaskStatus.RUNNING
                        && s.version() == runningBefore.version()));
        state.stop();
        // a marker behind everything the poller published, on each task's partition: once the markers are read,
        // so is every status change of the two tasks
        fixture.publishTo(Topics.TASK_STATUS, new WorkloadExited(running, 99, 0, Instant.now()));
        fixture.publishTo(Topics.TASK_STATUS, new WorkloadExited(pending, 99, 0, Instant.now()));
        ConsumerTask<String, byte[]> again = fixture.statusRecords();
        await().atMost(WAIT).until(() -> PollerFixture.recordsOf(again, running).stream().anyMatch(PollingCycleTest::isMarker)
                && PollerFixture.recordsOf(again, pending).stream().anyMatch(PollingCycleTest::isMarker));
        assertThat(PollerFixture.changesOf(again, running).size() + PollerFixture.changesOf(again, pending).size())
                .as("no transition published again after the restart").isEqualTo(publishedBefore);
        again.stop();

        // the submitter cancels the bid after the exit: the task fails with the exit code read back after the restart
        fixture.cancel(runningBid.fid());
        await().atMost(WAIT).until(() -> {
            poll();
            return registry.isClosed(running);
        });
        await().atMost(WAIT).until(() -> PollerFixture.changesOf(status, running).getLast().to().isTerminal());
        TaskStatusChanged end = PollerFixture.changesOf(status, running).getLast();
        assertThat(end.to()).isEqualTo(TaskStatus.FAILED);
        assertThat(end.reason()).isEqualTo(TransitionReason.workloadExit(3));
        status.stop();

        fixture.publish(new CancelRequested(pending, TransitionReason.USER_CANCEL, "test", Instant.now()));
        fixture.cancel(pendingBid.fid());
    }

    private static boolean isMarker(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record) {
        return CloudEventRecords.fromRecord(record).filter(WorkloadExited.class::isInstance).isPresent();
    }
}
