package dev.flow.cost.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import dev.flow.cost.domain.LedgerPlanner.Billable;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import org.junit.jupiter.api.Test;

class LedgerPlannerTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private static TaskStatusChanged event(TaskStatus to, Instant at, String price, InstanceInfo... instances) {
        return new TaskStatusChanged("task-planner", "flow-dev", TaskStatus.PENDING, to, TransitionReason.ALLOCATED,
                at, at, List.of(instances), price == null ? null : Money.parse(price), instances.length, "bid_1",
                "us-central1-a", "a100-80gb.sxm.1x", 0, null);
    }

    private static InstanceInfo node(String fid, int node, String status) {
        return new InstanceInfo(fid, node, status, null, null);
    }

    private static CostInterval open(String fid, int node, String price, Instant start) {
        CostInterval interval = new CostInterval();
        interval.taskId = "task-planner";
        interval.project = "flow-dev";
        interval.instanceFid = fid;
        interval.node = node;
        interval.pricePerHour = new BigDecimal(price);
        interval.startedAt = start;
        return interval;
    }

    @Test
    void startingInstancesAreNotBilledAndANodeIsBilledOnce() {
        List<Billable> billable = LedgerPlanner.billable(event(TaskStatus.RUNNING, T0, "$12.34",
                node("inst_a", 0, "STATUS_RUNNING"), node("inst_b", 1, "STATUS_STARTING"),
                node("inst_a2", 0, "STATUS_RUNNING"), node("inst_c", 2, null)));
        assertThat(billable).extracting(Billable::instanceFid).containsExactly("inst_a", "inst_c");
    }

    @Test
    void anUnchangedRunningEventKeepsTheOpenIntervals() {
        var plan = LedgerPlanner.plan(List.of(open("inst_a", 0, "12.340", T0)),
                event(TaskStatus.RUNNING, T0.plusSeconds(60), "$12.34", node("inst_a", 0, "STATUS_RUNNING")));
        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void aNewPriceClosesAndReopensAtTheEventTime() {
        CostInterval a = open("inst_a", 0, "12.34", T0);
        var plan = LedgerPlanner.plan(List.of(a),
                event(TaskStatus.RUNNING, T0.plusSeconds(60), "$9.87", node("inst_a", 0, "STATUS_RUNNING")));
        assertThat(plan.close()).containsExactly(a);
        assertThat(plan.open()).containsExactly(new Billable("inst_a", 0, new BigDecimal("9.87")));
        assertThat(plan.at()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void leavingRunningClosesEverything() {
        CostInterval a = open("inst_a", 0, "1", T0);
        CostInterval b = open("inst_b", 1, "1", T0);
        var plan = LedgerPlanner.plan(List.of(a, b), event(TaskStatus.PREEMPTING, T0.plusSeconds(5), "$1"));
        assertThat(plan.open()).isEmpty();
        assertThat(plan.close()).containsExactly(a, b);
        assertThat(plan.stale()).isFalse();
    }

    @Test
    void aPreemptionNoticeIsBilledUntilThePreemptionAsMithrilBillsIt() {
        CostInterval a = open("inst_a", 0, "2.37", T0);
        CostInterval b = open("inst_b", 1, "2.37", T0);
        // the notice: both nodes keep running (and billing) for the notice window, at the price billed now
        var notice = LedgerPlanner.plan(List.of(a, b), event(TaskStatus.PREEMPTING, T0.plusSeconds(60), "$5.00",
                node("inst_a", 0, "STATUS_PREEMPTING"), node("inst_b", 1, "STATUS_PREEMPTING")));
        assertThat(notice.close()).containsExactly(a, b);
        assertThat(notice.open()).containsExactly(new Billable("inst_a", 0, new BigDecimal("5.00")),
                new Billable("inst_b", 1, new BigDecimal("5.00")));
        // the same price through the notice keeps the intervals open
        var same = LedgerPlanner.plan(List.of(a, b), event(TaskStatus.PREEMPTING, T0.plusSeconds(60), "$2.37",
                node("inst_a", 0, "STATUS_PREEMPTING"), node("inst_b", 1, "STATUS_PREEMPTING")));
        assertThat(same.isEmpty()).isTrue();
        // the preemption itself ends the billing
        var preempted = LedgerPlanner.plan(List.of(a, b), event(TaskStatus.PENDING, T0.plusSeconds(360), "$0"));
        assertThat(preempted.close()).containsExactly(a, b);
        assertThat(preempted.open()).isEmpty();
    }

    @Test
    void aNodeThatNeverRanIsNotBilledDuringANotice() {
        var plan = LedgerPlanner.plan(List.of(), event(TaskStatus.PREEMPTING, T0, "$5.00",
                node("inst_a", 0, "STATUS_PREEMPTING")));
        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void anEventOlderThanTheLedgersLastChangeIsStale() {
        CostInterval closed = open("inst_a", 0, "1", T0);
        closed.endedAt = T0.plusSeconds(3600);
        // a re-published "running" from before the task ended must not reopen it
        var plan = LedgerPlanner.plan(List.of(closed),
                event(TaskStatus.RUNNING, T0, "$1", node("inst_a", 0, "STATUS_RUNNING")));
        assertThat(plan.stale()).isTrue();
        assertThat(plan.isEmpty()).isTrue();
        // the same end again is not stale, and changes nothing
        var again = LedgerPlanner.plan(List.of(closed), event(TaskStatus.COMPLETED, T0.plusSeconds(3600), "$1"));
        assertThat(again.stale()).isFalse();
        assertThat(again.isEmpty()).isTrue();
    }

    @Test
    void eventTimesAreKeptToTheMicrosecondAsTheDatabaseStoresThem() {
        var plan = LedgerPlanner.plan(List.of(), event(TaskStatus.RUNNING, T0.plusNanos(1_234_567), "$1",
                node("inst_a", 0, "STATUS_RUNNING")));
        assertThat(plan.at()).isEqualTo(T0.plusNanos(1_234_000));
    }

    @Test
    void aRunningTaskWithoutListedNodesIsBilledForItsDeclaredCount() {
        TaskStatusChanged e = new TaskStatusChanged("task-planner", "flow-dev", null, TaskStatus.RUNNING, null, T0,
                T0, List.of(), Money.parse("$2"), 2, "bid_9", null, null, 0, null);
        assertThat(LedgerPlanner.billable(e)).extracting(Billable::instanceFid)
                .containsExactly("bid_9/node-0", "bid_9/node-1");
    }
}
