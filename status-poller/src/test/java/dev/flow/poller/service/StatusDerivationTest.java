package dev.flow.poller.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstanceStatus;
import dev.flow.mithril.client.model.InstanceStatusHistory;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.poller.domain.TaskView;
import dev.flow.poller.service.StatusDerivation.Observation;
import org.junit.jupiter.api.Test;

/** The status rules on hand-made Mithril observations: the cases the emulator tests do not reach. */
class StatusDerivationTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final Money LIMIT = Money.parse("$20.00");

    private static TaskView task(TaskStatus status, TransitionReason reason, Instant at, List<InstanceInfo> instances,
                                 TransitionReason stop, Integer exit, Instant unexplainedSeen) {
        return new TaskView("task-0000000000000001", "flow-dev", "t", "8xh100", 1, "us-central1-a", LIMIT,
                "bid_1", "flow-task-0000000000000001", 0, status, reason, at, instances, stop, exit, unexplainedSeen, 3,
                null, null);
    }

    private static Bid bid(BidStatus status, List<String> instances, Instant deactivatedAt) {
        return new Bid("bid_1", "flow-task-0000000000000001", "proj_1", "user_1", T0, deactivatedAt, LIMIT, 1,
                "it_1", "us-central1-a", instances, null, status);
    }

    private static Instance instance(String fid, int node, Instant created, InstanceStatus status, String ssh) {
        return new Instance(fid, "flow-task-0000000000000001-" + node, "proj_1", created, "user_1", "it_1",
                "us-central1-a", "bid_1", null, ssh, "10.0.0.2", status);
    }

    private static Derived derived(Observation o) {
        assertThat(o).isInstanceOf(Observation.Now.class);
        return ((Observation.Now) o).derived();
    }

    @Test
    void aPausedBidIsPaused() {
        Derived d = derived(StatusDerivation.derive(task(TaskStatus.RUNNING, TransitionReason.ALLOCATED, T0, List.of(),
                null, null, null), bid(BidStatus.PAUSED, List.of(), null), List.of(), T0, GRACE));
        assertThat(d.status()).isEqualTo(TaskStatus.PAUSED);
        assertThat(d.reason()).isEqualTo(TransitionReason.PAUSED);
    }

    @Test
    void aRelocatingInstanceMeansPreemptingForRelocation() {
        Instance i = instance("inst_1", 0, T0, InstanceStatus.STATUS_RELOCATING, "10.1.2.3");
        Derived d = derived(StatusDerivation.derive(task(TaskStatus.RUNNING, TransitionReason.ALLOCATED, T0, List.of(),
                null, null, null), bid(BidStatus.ALLOCATED, List.of("inst_1"), null), List.of(i), T0, GRACE));
        assertThat(d.status()).isEqualTo(TaskStatus.PREEMPTING);
        assertThat(d.reason()).isEqualTo(TransitionReason.RELOCATED);
        // a bare host means Mithril's default SSH port
        assertThat(d.instances()).containsExactly(new InstanceInfo("inst_1", 0, "STATUS_RELOCATING", "10.1.2.3", 22));
    }

    /**
     * The bid is read, then it is cancelled (the workload exited) or preempted, then its instances are read: the pair
     * says "allocated, but a node ended". That is no state of the task: nothing is concluded (never running → pending,
     * which would stop the task's billing in the ledger at the instant it started), and the task is read again.
     */
    @Test
    void anAllocatedBidWhoseInstanceAlreadyEndedIsInconsistentNotPending() {
        TaskView running = task(TaskStatus.RUNNING, TransitionReason.ALLOCATED, T0,
                List.of(new InstanceInfo("inst_1", 0, "STATUS_RUNNING", "10.1.2.3", 22)), null, 0, null);
        for (InstanceStatus ended : List.of(InstanceStatus.STATUS_TERMINATED, InstanceStatus.STATUS_PREEMPTED)) {
            Instance i = instance("inst_1", 0, T0, ended, null);
            assertThat(StatusDerivation.derive(running, bid(BidStatus.ALLOCATED, List.of("inst_1"), null), List.of(i),
                    T0.plusSeconds(5), GRACE)).as("allocated bid, instance %s", ended)
                    .isInstanceOf(Observation.Inconsistent.class);
        }
        // the next cycle reads the bid after the change too: the task ends with its workload's exit
        Instance terminated = instance("inst_1", 0, T0, InstanceStatus.STATUS_TERMINATED, null);
        Derived d = derived(StatusDerivation.derive(running, bid(BidStatus.TERMINATED, List.of("inst_1"),
                T0.plusSeconds(4)), List.of(terminated), T0.plusSeconds(6), GRACE));
        assertThat(d.status()).isEqualTo(TaskStatus.COMPLETED);
        // a node still starting beside a running one is a real pending step, not a disagreement
        TaskView pending = task(TaskStatus.PENDING, TransitionReason.SUBMITTED, T0, List.of(), null, null, null);
        Instance starting = instance("inst_1", 0, T0, InstanceStatus.STATUS_STARTING, null);
        assertThat(derived(StatusDerivation.derive(pending, bid(BidStatus.ALLOCATED, List.of("inst_1"), null),
                List.of(starting), T0.plusSeconds(1), GRACE)).status()).isEqualTo(TaskStatus.PENDING);
    }

    @Test
    void anInstanceErrorFailsTheTaskWithProviderError() {
        Instance i = instance("inst_1", 0, T0, InstanceStatus.STATUS_ERROR, null);
        Derived d = derived(StatusDerivation.derive(task(TaskStatus.RUNNING, TransitionReason.ALLOCATED, T0, List.of(),
                null, null, null), bid(BidStatus.ALLOCATED, List.of("inst_1"), null), List.of(i), T0, GRACE));
        assertThat(d.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(d.reason()).isEqualTo(TransitionReason.PROVIDER_ERROR);
    }

    @Test
    void anUnexplainedTerminationWaitsForItsCauseThenEndsCancelled() {
        Bid terminated = bid(BidStatus.TERMINATED, List.of(), T0);
        Observation first = StatusDerivation.derive(task(TaskStatus.PENDING, TransitionReason.SUBMITTED, T0, List.of(),
                null, null, null), terminated, List.of(), T0, GRACE);
        assertThat(first).isInstanceOf(Observation.WaitForCause.class);
        Observation within = StatusDerivation.derive(task(TaskStatus.PENDING, TransitionReason.SUBMITTED, T0, List.of(),
                null, null, T0), terminated, List.of(), T0.plusSeconds(5), GRACE);
        assertThat(within).isInstanceOf(Observation.WaitForCause.class);
        Derived after = derived(StatusDerivation.derive(task(TaskStatus.PENDING, TransitionReason.SUBMITTED, T0,
                List.of(), null, null, T0), terminated, List.of(), T0.plusSeconds(11), GRACE));
        assertThat(after.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(after.message()).contains("without a request");
    }

    @Test
    void aCancelWithAWorkloadExitReasonEndsAsThatExit() {
        Derived d = derived(StatusDerivation.derive(task(TaskStatus.RUNNING, TransitionReason.ALLOCATED, T0, List.of(),
                TransitionReason.MAX_RUNTIME, 137, null), bid(BidStatus.TERMINATED, List.of(), T0), List.of(), T0, GRACE));
        // the workload's exit is what ended it, whatever else was asked
        assertThat(d.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(d.reason()).isEqualTo(TransitionReason.workloadExit(137));
    }

    @Test
    void anEndedTaskCarriesThePriceItPaidNotItsLimit() {
        Money paid = Money.parse("$0.81");
        TaskView running = new TaskView("task-0000000000000001", "flow-dev", "t", "8xh100", 1, "us-central1-a",
                LIMIT, "bid_1", "flow-task-0000000000000001", 0, TaskStatus.RUNNING, TransitionReason.ALLOCATED, T0,
                List.of(new InstanceInfo("inst_1", 0, "STATUS_RUNNING", "10.1.2.3", 22)), TransitionReason.USER_CANCEL,
                null, null, 3, T0, null, 0, -1, paid);
        Bid cancelled = bid(BidStatus.TERMINATED, List.of(), T0.plusSeconds(9));
        Derived d = derived(StatusDerivation.derive(running, cancelled, List.of(), T0.plusSeconds(10), GRACE));
        assertThat(d.status()).isEqualTo(TaskStatus.CANCELLED);

        List<TaskStatusChanged> plan = StatusDerivation.plan(running, d, cancelled, List.of(), Map.of(),
                Money.parse("$0.50"), T0.plusSeconds(10));

        assertThat(plan).extracting(TaskStatusChanged::to).containsExactly(TaskStatus.CANCELLED);
        assertThat(plan.getFirst().pricePerHour()).isEqualTo(paid);
    }

    @Test
    void aTaskThatNeverRanEndsPricedAtNothing() {
        TaskView pending = task(TaskStatus.PENDING, TransitionReason.SUBMITTED, T0, List.of(),
                TransitionReason.USER_CANCEL, null, null);
        Bid cancelled = bid(BidStatus.TERMINATED, List.of(), T0.plusSeconds(9));
        Derived d = derived(StatusDerivation.derive(pending, cancelled, List.of(), T0.plusSeconds(10), GRACE));

        List<TaskStatusChanged> plan = StatusDerivation.plan(pending, d, cancelled, List.of(), Map.of(),
                Money.parse("$0.50"), T0.plusSeconds(10));

        assertThat(plan).extracting(TaskStatusChanged::to).containsExactly(TaskStatus.CANCELLED);
        assertThat(plan.getFirst().pricePerHour()).isEqualTo(Money.ZERO);
    }

    @Test
    void aFirstAllocationNeedsNoHistoryAndIsPlannedTheSameWithout() {
        Instant created = T0.plusSeconds(5);
        Instance node = instance("inst_1", 0, created, InstanceStatus.STATUS_STARTING, null);
        TaskView before = task(TaskStatus.PENDING, TransitionReason.SUBMITTED, T0, List.of(), null, null, null);
        Bid bid = bid(BidStatus.ALLOCATED, List.of("inst_1"), null);
        Derived now = derived(StatusDerivation.derive(before, bid, List.of(node), T0.plusSeconds(8), GRACE));
        assertThat(now.status()).isEqualTo(TaskStatus.PENDING);

        assertThat(StatusDerivation.needsHistory(before, now, bid, List.of(node))).isFalse();
        Map<String, List<InstanceStatusHistory.Event>> history = Map.of("inst_1", List.of(
                new InstanceStatusHistory.Event(created, InstanceStatus.STATUS_NEW),
                new InstanceStatusHistory.Event(T0.plusSeconds(6), InstanceStatus.STATUS_STARTING)));
        List<TaskStatusChanged> with = StatusDerivation.plan(before, now, bid, List.of(node), history, null,
                T0.plusSeconds(8));
        List<TaskStatusChanged> without = StatusDerivation.plan(before, now, bid, List.of(node), Map.of(), null,
                T0.plusSeconds(8));
        assertThat(without).isEqualTo(with);
        assertThat(without).extracting(TaskStatusChanged::at).containsExactly(created);
    }

    @Test
    void aReAllocationAfterAPublishedPreemptionNeedsNoHistoryButOneAfterAnUnseenOneDoes() {
        Instant preempted = T0.plusSeconds(25);
        Instance old = instance("inst_old", 0, T0, InstanceStatus.STATUS_PREEMPTED, null);
        Instance fresh = instance("inst_new", 0, T0.plusSeconds(30), InstanceStatus.STATUS_NEW, null);
        Bid bid = bid(BidStatus.ALLOCATED, List.of("inst_new"), null);
        TaskView afterPreemption = task(TaskStatus.PENDING, TransitionReason.PREEMPTED, preempted, List.of(), null,
                null, null);
        Derived now = derived(StatusDerivation.derive(afterPreemption, bid, List.of(old, fresh), T0.plusSeconds(32),
                GRACE));
        assertThat(StatusDerivation.needsHistory(afterPreemption, now, bid, List.of(old, fresh))).isFalse();

        // still pending since its submission: the old instances ran and were preempted unseen, between two polls
        TaskView submitted = task(TaskStatus.PENDING, TransitionReason.SUBMITTED, T0.minusSeconds(1), List.of(), null,
                null, null);
        Derived again = derived(StatusDerivation.derive(submitted, bid, List.of(old, fresh), T0.plusSeconds(32), GRACE));
        assertThat(StatusDerivation.needsHistory(submitted, again, bid, List.of(old, fresh))).isTrue();
        // a running task's change always reads it (its times are in the history only)
        TaskView running = task(TaskStatus.RUNNING, TransitionReason.ALLOCATED, T0.plusSeconds(10),
                List.of(new InstanceInfo("inst_old", 0, "STATUS_RUNNING", "127.0.0.1", 2111)), null, null, null);
        Derived preempting = derived(StatusDerivation.derive(running, bid(BidStatus.PREEMPTING, List.of("inst_old"),
                null), List.of(instance("inst_old", 0, T0, InstanceStatus.STATUS_PREEMPTING, null)),
                T0.plusSeconds(40), GRACE));
        assertThat(StatusDerivation.needsHistory(running, preempting, bid(BidStatus.PREEMPTING, List.of("inst_old"),
                null), List.of(old))).isTrue();
    }

    @Test
    void aPreemptionThatCameAndWentBetweenTwoPollsIsRestoredInOrder() {
        Instant running = T0.plusSeconds(10);
        Instant notice = T0.plusSeconds(20);
        Instant preempted = T0.plusSeconds(25);
        Instance old = instance("inst_old", 0, T0, InstanceStatus.STATUS_PREEMPTED, null);
        Instance fresh = instance("inst_new", 0, T0.plusSeconds(26), InstanceStatus.STATUS_RUNNING, "127.0.0.1:2222");
        Map<String, List<InstanceStatusHistory.Event>> history = Map.of(
                "inst_old", List.of(new InstanceStatusHistory.Event(running, InstanceStatus.STATUS_RUNNING),
                        new InstanceStatusHistory.Event(notice, InstanceStatus.STATUS_PREEMPTING),
                        new InstanceStatusHistory.Event(preempted, InstanceStatus.STATUS_PREEMPTED)),
                "inst_new", List.of(new InstanceStatusHistory.Event(T0.plusSeconds(26), InstanceStatus.STATUS_NEW),
                        new InstanceStatusHistory.Event(T0.plusSeconds(30), InstanceStatus.STATUS_RUNNING)));
        TaskView before = task(TaskStatus.RUNNING, TransitionReason.ALLOCATED, running,
                List.of(new InstanceInfo("inst_old", 0, "STATUS_RUNNING", "127.0.0.1", 2111)), null, null, null);
        Bid bid = bid(BidStatus.ALLOCATED, List.of("inst_new"), null);
        Derived now = derived(StatusDerivation.derive(before, bid, List.of(old, fresh), T0.plusSeconds(40), GRACE));
        assertThat(StatusDerivation.differs(before, now)).isTrue();

        List<TaskStatusChanged> plan = StatusDerivation.plan(before, now, bid, List.of(old, fresh), history,
                Money.parse("$12.00"), T0.plusSeconds(40));

        assertThat(plan).extracting(TaskStatusChanged::to)
                .containsExactly(TaskStatus.PREEMPTING, TaskStatus.PENDING, TaskStatus.RUNNING);
        assertThat(plan).extracting(TaskStatusChanged::at)
                .containsExactly(notice, preempted, T0.plusSeconds(30));
        assertThat(plan).extracting(TaskStatusChanged::reason).containsExactly(TransitionReason.PREEMPTED,
                TransitionReason.PREEMPTED, TransitionReason.ALLOCATED);
        assertThat(plan.getLast().instances()).containsExactly(
                new InstanceInfo("inst_new", 0, "STATUS_RUNNING", "127.0.0.1", 2222));
        assertThat(plan.getLast().pricePerHour()).isEqualTo(Money.parse("$12.00"));
        // waiting for capacity costs nothing: no instance is billed
        assertThat(plan.get(1).pricePerHour()).isEqualTo(Money.ZERO);
        // through the notice the instances are still billed: at the spot price, capped by the limit
        assertThat(plan.getFirst().pricePerHour()).isEqualTo(Money.parse("$12.00"));
        assertThat(plan.getFirst().from()).isEqualTo(TaskStatus.RUNNING);
    }

    @Test
    void anUnchangedObservationPublishesNothing() {
        Instance i = instance("inst_1", 1, T0, InstanceStatus.STATUS_RUNNING, "127.0.0.1:2200");
        TaskView running = task(TaskStatus.RUNNING, TransitionReason.ALLOCATED, T0,
                List.of(new InstanceInfo("inst_1", 1, "STATUS_RUNNING", "127.0.0.1", 2200)), null, null, null);
        Derived d = derived(StatusDerivation.derive(running, bid(BidStatus.ALLOCATED, List.of("inst_1"), null),
                List.of(i), T0, GRACE));
        assertThat(StatusDerivation.differs(running, d)).isFalse();
    }
}
