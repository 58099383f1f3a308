package dev.flow.poller.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.flow.model.event.BidPlaced;
import dev.flow.model.event.CancelRequested;
import dev.flow.model.event.ResubmitTask;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.TaskResubmitted;
import dev.flow.model.event.TaskSnapshot;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.TaskSubmitted;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.model.task.TaskConfig;
import dev.flow.model.task.TaskConfigs;
import org.junit.jupiter.api.Test;

/** The registry's idempotence: what Kafka's at-least-once delivery and a restart's replay rely on. */
class TaskRegistryTest {

    private static final Money LIMIT = Money.parse("$10.00");

    private static TaskSubmitted submitted(String taskId, Instant at) {
        return new TaskSubmitted(taskId, "flow-dev", "t", "a100", 1, "us-central1-a", LIMIT, null, at);
    }

    @Test
    void aRedeliveredTaskSubmittedPublishesNothingNewEvenAfterTheTaskEnded() {
        TaskRegistry registry = new TaskRegistry(Duration.ofHours(24));
        Instant now = Instant.now();
        TaskStatusChanged first = registry.submitted(submitted("task-a", now), 0).orElseThrow();
        assertThat(first.from()).isNull();
        assertThat(first.reason()).isEqualTo(TransitionReason.SUBMITTED);
        TaskSnapshot snapshot = registry.commitFirst(first).orElseThrow();
        assertThat(snapshot.version()).isEqualTo(1);
        assertThat(registry.submitted(submitted("task-a", now), 0)).isEmpty();

        TaskView seen = registry.view("task-a").orElseThrow();
        TaskStatusChanged end = new TaskStatusChanged("task-a", "flow-dev", TaskStatus.PENDING, TaskStatus.CANCELLED,
                TransitionReason.USER_CANCEL, now, now, List.of(), LIMIT, 1, "bid_1", "us-central1-a", "a100", 0, null);
        TaskSnapshot last = registry.commit(seen, List.of(end)).orElseThrow();
        assertThat(last.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(last.completedAt()).isEqualTo(now);
        assertThat(last.version()).isEqualTo(2);

        // the ended task leaves memory but is not forgotten
        assertThat(registry.isClosed("task-a")).isTrue();
        assertThat(registry.view("task-a")).isEmpty();
        assertThat(registry.activeCount()).isZero();
        assertThat(registry.submitted(submitted("task-a", now), 0)).isEmpty();
        assertThat(registry.commit(seen, List.of(end))).isEmpty();
    }

    @Test
    void aRestoredSnapshotNeverGoesBackAVersionAndAnOlderBidPlacedDoesNotReplaceTheBid() {
        TaskRegistry registry = new TaskRegistry(Duration.ofHours(24));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        registry.restore(snapshot("task-b", "bid_new", 5, t0.plusSeconds(50)), 1);
        registry.restore(snapshot("task-b", "bid_old", 3, t0.plusSeconds(20)), 1);
        assertThat(registry.view("task-b").orElseThrow().version()).isEqualTo(5);

        registry.bidPlaced(new BidPlaced("task-b", "bid_old", "flow-dev", "us-central1-a", "it_1", LIMIT,
                t0.plusSeconds(10)));
        assertThat(registry.view("task-b").orElseThrow().bidFid()).isEqualTo("bid_new");
        assertThat(registry.oldestActiveCreatedAt()).contains(t0);
    }

    private static TaskSubmitted submittedWithMaxRunTime(String taskId, String hours, Instant at) {
        return new TaskSubmitted(taskId, "flow-dev", "t", "a100", 1, "us-central1-a", LIMIT,
                TaskConfigs.parse("{\"command\": \"sleep 600\", \"instance_type\": \"a100\", "
                        + "\"max_run_time_hours\": " + hours + "}"), at);
    }

    private static void running(TaskRegistry registry, String taskId, Instant at) {
        TaskView seen = registry.view(taskId).orElseThrow();
        registry.commit(seen, List.of(new TaskStatusChanged(taskId, "flow-dev", TaskStatus.PENDING, TaskStatus.RUNNING,
                TransitionReason.ALLOCATED, at, at, List.of(), LIMIT, 1, "bid_1", "us-central1-a", "a100", 0, null)))
                .orElseThrow();
    }

    @Test
    void aTaskRunningPastItsMaxRunTimeIsStoppedOnceMeasuredFromWhenItFirstRan() {
        TaskRegistry registry = new TaskRegistry(Duration.ofHours(24));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        // 0.5 h = 30 min, measured from the first RUNNING, not from the submission
        registry.commitFirst(registry.submitted(submittedWithMaxRunTime("task-m", "0.5", t0), 0).orElseThrow());
        assertThat(registry.outOfTime(t0.plus(Duration.ofHours(2)))).isEmpty();
        running(registry, "task-m", t0.plus(Duration.ofMinutes(10)));
        assertThat(registry.view("task-m").orElseThrow().maxRunTime()).isEqualTo(Duration.ofMinutes(30));

        assertThat(registry.outOfTime(t0.plus(Duration.ofMinutes(40)))).isEmpty();
        assertThat(registry.outOfTime(t0.plus(Duration.ofMinutes(41)))).extracting(TaskView::taskId)
                .containsExactly("task-m");

        registry.maxRunTimeStopSent("task-m");
        assertThat(registry.outOfTime(t0.plus(Duration.ofMinutes(50)))).isEmpty();
        assertThat(registry.view("task-m").orElseThrow().stopReason()).isEqualTo(TransitionReason.MAX_RUNTIME);
        // the command read back from flow.task.commands changes nothing
        registry.stopRequested(new StopTask("task-m", TransitionReason.MAX_RUNTIME, "status-poller", t0));
        assertThat(registry.outOfTime(t0.plus(Duration.ofMinutes(50)))).isEmpty();
    }

    @Test
    void noLimitOrAnotherStopMeansNoMaxRunTimeStop() {
        TaskRegistry registry = new TaskRegistry(Duration.ofHours(24));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        registry.commitFirst(registry.submitted(submitted("task-n", t0), 0).orElseThrow());
        running(registry, "task-n", t0);
        registry.commitFirst(registry.submitted(submittedWithMaxRunTime("task-c", "0.01", t0), 0).orElseThrow());
        running(registry, "task-c", t0);
        registry.cancelRequested(new CancelRequested("task-c", TransitionReason.USER_CANCEL, "alice", t0));

        assertThat(registry.outOfTime(t0.plus(Duration.ofDays(8)))).isEmpty();
    }

    @Test
    void afterARestartTheReplayRestoresTheLimitAndTheStopAlreadySent() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        TaskSubmitted submitted = submittedWithMaxRunTime("task-r", "0.01", t0);

        // restarted before the stop: the snapshot says since when it runs, the replayed TaskSubmitted the limit
        TaskRegistry restarted = new TaskRegistry(Duration.ofHours(24));
        restarted.restore(snapshot("task-r", "bid_1", 2, t0.plusSeconds(1)), 0);
        assertThat(restarted.outOfTime(t0.plusSeconds(60))).isEmpty();
        restarted.refill(submitted);
        assertThat(restarted.outOfTime(t0.plusSeconds(60))).extracting(TaskView::taskId).containsExactly("task-r");

        // restarted after the stop: the replayed StopTask(MAX_RUNTIME) keeps it from being sent again
        TaskRegistry again = new TaskRegistry(Duration.ofHours(24));
        again.restore(snapshot("task-r", "bid_1", 2, t0.plusSeconds(1)), 0);
        again.refill(submitted);
        again.stopRequested(new StopTask("task-r", TransitionReason.MAX_RUNTIME, "status-poller", t0.plusSeconds(5)));
        assertThat(again.outOfTime(t0.plusSeconds(60))).isEmpty();
        // a refill never brings a task back or creates one
        again.refill(submittedWithMaxRunTime("task-unknown", "1", t0));
        assertThat(again.view("task-unknown")).isEmpty();
    }

    private static TaskSubmitted submittedWithRetry(String taskId, int maxRestarts, Instant at) {
        TaskConfig config = TaskConfigs.parse("{\"command\": \"true\", \"instance_type\": \"a100\", "
                + "\"retry\": {\"on_preemption\": true, \"max_restarts\": " + maxRestarts + "}}");
        return new TaskSubmitted(taskId, "flow-dev", "t", "a100", 1, "us-central1-a", LIMIT, config, at);
    }

    private static TaskStatusChanged change(String taskId, TaskStatus from, TaskStatus to, TransitionReason why,
                                            Instant at, int restartCount) {
        return new TaskStatusChanged(taskId, "flow-dev", from, to, why, at, at, List.of(), LIMIT, 1, "bid_1",
                "us-central1-a", "a100", restartCount, null);
    }

    @Test
    void aPreemptionIsAnsweredOnceAndANewBidIsPublishedOnceAcrossARestart() {
        TaskRegistry registry = new TaskRegistry(Duration.ofHours(24));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        registry.commitFirst(registry.submitted(submittedWithRetry("task-p", 2, t0), 0).orElseThrow());
        registry.commit(registry.view("task-p").orElseThrow(),
                List.of(change("task-p", TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                        t0.plusSeconds(10), 0)));
        assertThat(registry.awaitingResubmission()).isEmpty();
        registry.commit(registry.view("task-p").orElseThrow(),
                List.of(change("task-p", TaskStatus.RUNNING, TaskStatus.PREEMPTING, TransitionReason.PREEMPTED,
                        t0.plusSeconds(20), 0)));
        // still in its notice: the bid may win back
        assertThat(registry.awaitingResubmission()).isEmpty();
        registry.commit(registry.view("task-p").orElseThrow(),
                List.of(change("task-p", TaskStatus.PREEMPTING, TaskStatus.PENDING, TransitionReason.PREEMPTED,
                        t0.plusSeconds(30), 0)));
        assertThat(registry.awaitingResubmission()).singleElement()
                .satisfies(p -> assertThat(p.restartCount()).isZero())
                .satisfies(p -> assertThat(p.maxRestarts()).isEqualTo(2));

        ResubmitTask asked = new ResubmitTask("task-p", TransitionReason.PREEMPTED, t0.plusSeconds(31));
        registry.resubmitRequested(asked);
        assertThat(registry.awaitingResubmission()).isEmpty();

        // the submitter's new bid: published once (then the task runs on it)
        registry.resubmitted(new TaskResubmitted("task-p", 1, "bid_1", "bid_2", t0.plusSeconds(32)));
        TaskView withNewBid = registry.view("task-p").orElseThrow();
        assertThat(withNewBid.newBidUnpublished()).isTrue();
        assertThat(withNewBid.bidFid()).isEqualTo("bid_2");
        assertThat(registry.awaitingResubmission()).as("a new bid is on its way").isEmpty();
        registry.commit(withNewBid, List.of(change("task-p", TaskStatus.PENDING, TaskStatus.PENDING,
                TransitionReason.RESUBMITTED, t0.plusSeconds(33), 1)));
        assertThat(registry.view("task-p").orElseThrow().newBidUnpublished()).isFalse();

        // a restart that replays the command before the snapshot's later state does not ask again, nor miss it
        TaskSnapshot snapshot = new TaskSnapshot("task-p", "flow-dev", "t", TaskStatus.PENDING,
                TransitionReason.PREEMPTED, List.of(), t0, t0.plusSeconds(10), null, "bid_1", "us-central1-a", "a100",
                1, LIMIT, 0, null, 4, t0.plusSeconds(30));
        TaskRegistry restarted = new TaskRegistry(Duration.ofHours(24));
        restarted.restore(snapshot, 0);
        restarted.refill(submittedWithRetry("task-p", 2, t0));
        assertThat(restarted.awaitingResubmission()).hasSize(1);
        restarted.resubmitRequested(asked);
        assertThat(restarted.awaitingResubmission()).isEmpty();
    }

    @Test
    void aRebalanceForgetsTheTasksOfThePartitionsThatLeft() {
        TaskRegistry registry = new TaskRegistry(Duration.ofHours(24));
        Instant t0 = Instant.now();
        registry.commitFirst(registry.submitted(submitted("task-0", t0), 0).orElseThrow());
        registry.commitFirst(registry.submitted(submitted("task-1", t0), 1).orElseThrow());
        registry.commit(registry.view("task-1").orElseThrow(), List.of(change("task-1", TaskStatus.PENDING,
                TaskStatus.CANCELLED, TransitionReason.USER_CANCEL, t0, 0)));
        registry.commitFirst(registry.submitted(submitted("task-2", t0), 1).orElseThrow());
        assertThat(registry.knows("task-1")).isTrue();

        assertThat(registry.dropPartitions(java.util.Set.of(1))).isEqualTo(1);
        assertThat(registry.knows("task-0")).isTrue();
        assertThat(registry.knows("task-1")).as("ended ids go with their partition").isFalse();
        assertThat(registry.knows("task-2")).isFalse();
        assertThat(registry.activeByProject().get("flow-dev")).extracting(TaskView::taskId).containsExactly("task-0");
    }

    private static TaskSnapshot snapshot(String taskId, String bidFid, long version, Instant at) {
        return new TaskSnapshot(taskId, "flow-dev", "t", TaskStatus.RUNNING, TransitionReason.ALLOCATED, List.of(),
                Instant.parse("2026-01-01T00:00:00Z"), at, null, bidFid, "us-central1-a", "a100", 1, LIMIT, 0, null,
                version, at);
    }
}
