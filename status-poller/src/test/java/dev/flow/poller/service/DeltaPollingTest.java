package dev.flow.poller.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import dev.flow.mithril.client.model.InstanceStatus;
import dev.flow.mithril.client.model.InstanceStatusHistory;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.poller.domain.TaskView;
import org.junit.jupiter.api.Test;

/** Which tasks a delta cycle reads, when a project is swept, and where a change's history is read from. */
class DeltaPollingTest {

    private static final String PROJECT = "proj_delta";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration OVERLAP = Duration.ofSeconds(10);

    private static TaskView running(String id, String bid, String instance, Instant at) {
        return new TaskView(id, "flow-dev", "t", "a100-80gb.sxm.1x", 1, "us-central1-a", Money.parse("$5.00"), bid,
                "flow-" + id, 0, TaskStatus.RUNNING, TransitionReason.ALLOCATED, at,
                List.of(new InstanceInfo(instance, 0, "STATUS_RUNNING", "127.0.0.1", 2222)), null, null, null, 1L, at,
                null);
    }

    private static TaskView stopping(TaskView t) {
        return new TaskView(t.taskId(), t.project(), t.name(), t.instanceType(), t.numInstances(), t.region(),
                t.limitPrice(), t.bidFid(), t.bidName(), 0, t.status(), t.reason(), t.at(), t.instances(),
                TransitionReason.USER_CANCEL, null, null, 2L, t.startedAt(), null);
    }

    private static InstanceStatusHistory changed(String instance, String bid, Instant at, InstanceStatus status) {
        return new InstanceStatusHistory(instance, List.of(new InstanceStatusHistory.Event(at, status)), bid, null);
    }

    private static List<String> ids(DeltaPolling.Dirty dirty) {
        return dirty.tasks().stream().map(TaskView::taskId).toList();
    }

    @Test
    void aProjectIsSweptFirstThenEveryNthCycle() {
        DeltaPolling delta = new DeltaPolling(3, OVERLAP);
        assertThat(delta.plan(PROJECT, false).sweep()).as("first cycle").isTrue();
        delta.swept(PROJECT, T0, List.of(), 7);
        assertThat(delta.bidPages(PROJECT)).isEqualTo(7);
        DeltaPolling.Plan second = delta.plan(PROJECT, false);
        assertThat(second.sweep()).isFalse();
        assertThat(second.windowStart()).isEqualTo(T0.minus(OVERLAP));
        delta.advanced(PROJECT, T0.plusSeconds(5), List.of(), Set.of(), Set.of());
        assertThat(delta.plan(PROJECT, false).windowStart()).isEqualTo(T0.plusSeconds(5).minus(OVERLAP));
        delta.advanced(PROJECT, T0.plusSeconds(10), List.of(), Set.of(), Set.of());
        assertThat(delta.plan(PROJECT, false).sweep()).as("third cycle after the sweep").isTrue();
        // a failed cycle advances nothing: the plan stays the same
        assertThat(delta.plan(PROJECT, false).sweep()).isTrue();
        // a requested sweep applies to one cycle
        DeltaPolling other = new DeltaPolling(100, OVERLAP);
        other.swept(PROJECT, T0, List.of(), 1);
        other.requestSweep();
        assertThat(other.takeSweepRequest()).isTrue();
        assertThat(other.takeSweepRequest()).isFalse();
        assertThat(other.plan(PROJECT, true).sweep()).isTrue();
        assertThat(other.plan(PROJECT, false).sweep()).isFalse();
        // a project without active tasks for a cycle is forgotten: when tasks come back, it is swept first
        other.retain(Set.of("proj_other"));
        assertThat(other.plan(PROJECT, false).sweep()).isTrue();
    }

    @Test
    void onlyTasksWithNewEventsOrAMovingLifecycleAreRead() {
        DeltaPolling delta = new DeltaPolling(20, OVERLAP);
        TaskView quiet = running("task-000000000000000q", "bid_q", "inst_q", T0);
        TaskView preempted = running("task-000000000000000p", "bid_p", "inst_p", T0);
        TaskView cancelled = stopping(running("task-000000000000000c", "bid_c", "inst_c", T0));
        TaskView gained = running("task-000000000000000g", "bid_g", "inst_g", T0);
        delta.swept(PROJECT, T0.plusSeconds(60), List.of(quiet, preempted, cancelled), 10);

        Instant notice = T0.plusSeconds(62);
        List<InstanceStatusHistory> changes = List.of(
                changed("inst_p", "bid_p", notice, InstanceStatus.STATUS_PREEMPTING),
                // an instance of a bid this replica does not watch (another replica's task, an ended task)
                changed("inst_x", "bid_x", notice, InstanceStatus.STATUS_TERMINATED));
        DeltaPolling.Dirty dirty = delta.dirty(PROJECT, List.of(quiet, preempted, cancelled, gained), changes);
        // quiet: no event; preempted: a new event; cancelled: its bid may end without an instance event; gained
        // (a rebalance gave it to this replica): not watched at the last good cycle
        assertThat(ids(dirty)).containsExactlyInAnyOrder(preempted.taskId(), cancelled.taskId(), gained.taskId());

        // the next cycle's window overlaps this one: the same event, already seen, reads nothing again
        delta.advanced(PROJECT, T0.plusSeconds(65), List.of(quiet, preempted, cancelled, gained),
                Set.of(preempted.taskId(), cancelled.taskId(), gained.taskId()), dirty.seenEvents());
        DeltaPolling.Dirty next = delta.dirty(PROJECT, List.of(quiet, preempted, gained), changes);
        assertThat(ids(next)).isEmpty();
        // a new event of the same instance is news
        List<InstanceStatusHistory> more = List.of(changed("inst_p", "bid_p", notice, InstanceStatus.STATUS_PREEMPTING),
                changed("inst_p", "bid_p", notice.plusSeconds(3), InstanceStatus.STATUS_PREEMPTED));
        assertThat(ids(delta.dirty(PROJECT, List.of(quiet, preempted, gained), more)))
                .containsExactly(preempted.taskId());
    }

    @Test
    void aChangeOfAWatchedTaskReadsHistoryFromTheWindowAnUnwatchedOneFromItsLastTransition() {
        DeltaPolling delta = new DeltaPolling(20, OVERLAP);
        TaskView watched = running("task-000000000000000w", "bid_w", "inst_w", T0);
        TaskView recent = running("task-000000000000000r", "bid_r", "inst_r", T0.plusSeconds(118));
        TaskView gained = running("task-000000000000000g", "bid_g", "inst_g", T0);
        delta.swept(PROJECT, T0.plusSeconds(120), List.of(watched, recent), 1);
        Instant now = T0.plusSeconds(125);
        // every event between its last transition and the window was seen by an earlier cycle
        assertThat(delta.historyFrom(PROJECT, watched, now)).isEqualTo(T0.plusSeconds(110));
        assertThat(delta.historyFrom(PROJECT, recent, now)).isEqualTo(T0.plusSeconds(113));
        // nothing says what happened to it before this replica watched it: from its last transition
        assertThat(delta.historyFrom(PROJECT, gained, now)).isEqualTo(T0.minusSeconds(5));
    }
}
