package dev.flow.poller.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

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

/**
 * The status rules of ARCHITECTURE.md "Task status", as pure functions of what Mithril shows (a bid, its instances,
 * their status history) and what the lifecycle told (cancel, stop, workload exit). No I/O: unit-testable.
 *
 * <p>Two steps, so a quiet cycle costs only the two list calls: {@link #derive} says what the status is now from the
 * lists alone; only when that differs from the last published state does {@link #plan} turn it into the transitions
 * to publish, using the instance status history to date them and to restore steps that happened between two polls
 * (a short task that ran and ended, a preemption that came and went).
 */
public final class StatusDerivation {

    /** Instance statuses of a node on its way up. */
    private static final Set<InstanceStatus> BOOTING = Set.of(InstanceStatus.STATUS_NEW,
            InstanceStatus.STATUS_CONFIRMED, InstanceStatus.STATUS_INITIALIZING, InstanceStatus.STATUS_STARTING,
            InstanceStatus.STATUS_SCHEDULED, InstanceStatus.STATUS_PENDING);

    private StatusDerivation() {
    }

    /** The outcome of {@link #derive}: a status, or a reason to publish nothing this cycle. */
    public sealed interface Observation {
        /** The status Mithril shows now. */
        record Now(Derived derived) implements Observation {
        }

        /** Terminated without a known cause: wait a little for the cause's event before closing the task. */
        record WaitForCause() implements Observation {
        }

        /** Nothing to conclude (an unknown bid status of a newer Mithril). */
        record Unknown() implements Observation {
        }

        /**
         * The bid and its instances disagree: they are read by two calls, and the bid changed in between (it still
         * says allocated, but an instance of its allocation already ended: cancelled or preempted after the bid was
         * read). Concluding from such a pair would publish a step that never happened (running → pending, which
         * also stops the task's billing in the ledger): the task is read again next cycle.
         */
        record Inconsistent() implements Observation {
        }
    }

    /**
     * The current status of a task.
     *
     * @param bidInstances every instance of the bid (all allocations), as {@code GET /v2/instances?bid_fid_in=} lists them
     * @param grace        how long an unexplained termination waits for its cause
     */
    public static Observation derive(TaskView task, Bid bid, List<Instance> bidInstances, Instant now, Duration grace) {
        List<Instance> current = currentAllocation(bid, bidInstances);
        List<InstanceInfo> infos = infos(current);
        boolean anyError = current.stream().anyMatch(i -> i.status() == InstanceStatus.STATUS_ERROR);
        return switch (bid.status()) {
            case TERMINATED -> {
                if (task.exitCode() != null) {
                    TaskStatus end = task.exitCode() == 0 ? TaskStatus.COMPLETED : TaskStatus.FAILED;
                    yield now(end, TransitionReason.workloadExit(task.exitCode()), infos, false, null);
                }
                if (task.stopReason() != null) {
                    yield now(TaskStatus.CANCELLED, task.stopReason(), infos, false, null);
                }
                if (anyError) {
                    yield now(TaskStatus.FAILED, TransitionReason.PROVIDER_ERROR, infos, false,
                            "an instance of the bid failed at the provider");
                }
                Instant seen = task.unexplainedTerminationSeenAt();
                // a preempted task's old bid is cancelled by the submitter's resubmission just before it places the
                // new one and publishes TaskResubmitted (after its own retries on Mithril): that cause takes longer
                Duration wait = task.status() == TaskStatus.PENDING && TransitionReason.PREEMPTED.equals(task.reason())
                        ? grace.multipliedBy(6) : grace;
                if (seen == null || Duration.between(seen, now).compareTo(wait) < 0) {
                    yield new Observation.WaitForCause();
                }
                yield now(TaskStatus.CANCELLED, TransitionReason.USER_CANCEL, infos, false,
                        "the bid was terminated at Mithril without a request through the platform");
            }
            case PAUSED -> now(TaskStatus.PAUSED, TransitionReason.PAUSED, infos, false, null);
            case PREEMPTING -> now(TaskStatus.PREEMPTING, relocating(current)
                    ? TransitionReason.RELOCATED : TransitionReason.PREEMPTED, infos, true, null);
            case RELOCATING -> now(TaskStatus.PREEMPTING, TransitionReason.RELOCATED, infos, true, null);
            case OPEN -> {
                boolean preempted = current.isEmpty() && bidInstances.stream()
                        .anyMatch(i -> i.status() == InstanceStatus.STATUS_PREEMPTED);
                TransitionReason why = preempted ? TransitionReason.PREEMPTED
                        : task.status() == TaskStatus.PAUSED ? TransitionReason.RESUMED
                        : task.restartCount() > 0 && bidInstances.isEmpty() ? TransitionReason.RESUBMITTED
                        : TransitionReason.SUBMITTED;
                // after a preemption the bid is back in the auction and nothing runs or is billed: pending again,
                // with the reason saying why (see README "Status rules")
                yield now(TaskStatus.PENDING, why, infos, false, null);
            }
            case ALLOCATED -> {
                if (current.stream().anyMatch(StatusDerivation::ended)) {
                    yield new Observation.Inconsistent();
                }
                if (anyError) {
                    yield now(TaskStatus.FAILED, TransitionReason.PROVIDER_ERROR, infos, false,
                            "an instance of the bid failed at the provider");
                }
                if (current.stream().anyMatch(i -> i.status() == InstanceStatus.STATUS_PREEMPTING)) {
                    yield now(TaskStatus.PREEMPTING, TransitionReason.PREEMPTED, infos, true, null);
                }
                if (relocating(current)) {
                    yield now(TaskStatus.PREEMPTING, TransitionReason.RELOCATED, infos, true, null);
                }
                boolean allRunning = !current.isEmpty() && current.size() >= bid.instanceQuantity()
                        && current.stream().allMatch(i -> i.status() == InstanceStatus.STATUS_RUNNING);
                yield now(allRunning ? TaskStatus.RUNNING : TaskStatus.PENDING, TransitionReason.ALLOCATED, infos,
                        true, null);
            }
            case UNKNOWN -> new Observation.Unknown();
        };
    }

    /** Whether publishing is due: the status or the instance set / SSH endpoints differ from the last published. */
    public static boolean differs(TaskView task, Derived derived) {
        return task.status() != derived.status() || !sameEndpoints(task.instances(), derived.instances())
                || task.newBidUnpublished();
    }

    /**
     * Whether the instance status history can tell {@link #plan} anything about this change. It dates RUNNING,
     * PREEMPTING, PREEMPTED, ERROR and PAUSED, and restores steps between two polls. A task without instances that
     * is now pending on a new allocation (the first one, or a re-allocation after a published preemption) missed
     * nothing: no instance of the current allocation ran (the task is still pending), every older instance existed
     * before the task's last published transition (its steps were published then), and the step is dated by the
     * instances' {@code created_at}. A burst of new tasks then reads no history for their allocations.
     */
    public static boolean needsHistory(TaskView task, Derived derived, Bid bid, List<Instance> bidInstances) {
        if (derived.status() == TaskStatus.PENDING && task.status() == TaskStatus.PENDING
                && task.instances().isEmpty() && !derived.instances().isEmpty() && !task.newBidUnpublished()) {
            Set<String> current = Set.copyOf(bid.instances());
            Instant last = task.at();
            return !bidInstances.stream().allMatch(i -> current.contains(i.fid())
                    || (last != null && i.createdAt() != null && i.createdAt().isBefore(last)));
        }
        return true;
    }

    /**
     * The transitions that lead from the task's last published state to {@code derived}, oldest first: the steps
     * the instance history shows between the two polls, then the current state. Each carries Mithril's time of the
     * step when the history has it, else the observation time.
     *
     * @param history   status events by instance fid (empty when not fetched: every time falls back to {@code now})
     * @param spotPrice the current spot price per instance-hour for the bid's type and region, or null
     */
    public static List<TaskStatusChanged> plan(TaskView task, Derived derived, Bid bid, List<Instance> bidInstances,
                                               Map<String, List<InstanceStatusHistory.Event>> history,
                                               Money spotPrice, Instant now) {
        Instant floor = task.at() != null ? task.at() : Instant.EPOCH;
        Instant finalAt = clamp(finalTime(derived, bid, currentAllocation(bid, bidInstances), bidInstances, history),
                now, floor);

        List<Step> steps = new ArrayList<>();
        for (List<Instance> generation : generations(bidInstances)) {
            steps.addAll(historySteps(generation, history));
        }
        steps.removeIf(s -> !s.at().isAfter(floor) || s.at().isAfter(finalAt));
        steps.sort(Comparator.comparing(Step::at));
        steps.add(new Step(derived.status(), derived.reason(), finalAt, derived.instances(), derived.allocated(),
                derived.message()));

        // consecutive steps of one status are one transition: the first one's reason and time, the last one's nodes
        List<Step> merged = new ArrayList<>();
        for (Step s : steps) {
            if (!merged.isEmpty() && merged.getLast().status() == s.status()) {
                Step first = merged.removeLast();
                merged.add(new Step(first.status(), first.reason(), first.at(), s.instances(), s.allocated(),
                        s.message()));
            } else {
                merged.add(s);
            }
        }

        List<TaskStatusChanged> out = new ArrayList<>();
        // a new bid (TaskResubmitted) is published even when status and nodes stay (pending, none)
        boolean newBid = task.newBidUnpublished();
        TaskStatus from = task.status();
        List<InstanceInfo> fromInstances = task.instances();
        Instant last = floor;
        // the price per instance-hour the task last paid: its last published running or preempting transition's
        Money lastPaid = from == TaskStatus.RUNNING || from == TaskStatus.PREEMPTING ? task.pricePerHour() : null;
        for (Step s : merged) {
            if (s.status() == from && sameEndpoints(fromInstances, s.instances()) && !newBid) {
                continue;
            }
            // the first transition on a new bid says so, whether the bid is still open or already allocated
            TransitionReason reason = newBid ? TransitionReason.RESUBMITTED : s.reason();
            newBid = false;
            if (from != null && from.isTerminal()) {
                break;
            }
            Instant at = s.at().isBefore(last) ? last : s.at();
            Money price;
            if (s.status().isTerminal()) {
                // the price the task paid when it ended (nothing if it never ran), never its limit
                price = lastPaid != null ? lastPaid : Money.ZERO;
            } else if (s.allocated() && (s.status() == TaskStatus.RUNNING || s.status() == TaskStatus.PREEMPTING)) {
                // what Mithril bills: the spot price, capped by the limit (also through a preemption notice)
                price = spotPrice != null ? min(spotPrice, bid.limitPrice())
                        : lastPaid != null ? lastPaid : bid.limitPrice() != null ? bid.limitPrice() : task.limitPrice();
                lastPaid = price;
            } else {
                price = Money.ZERO; // pending (also while allocated instances start) or paused: nothing is billed
            }
            out.add(new TaskStatusChanged(task.taskId(), task.project(), from, s.status(), reason, at, now,
                    s.instances(), price, task.numInstances(), bid.fid(), bid.region(), task.instanceType(),
                    task.restartCount(), s.message()));
            from = s.status();
            fromInstances = s.instances();
            last = at;
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private record Step(TaskStatus status, TransitionReason reason, Instant at, List<InstanceInfo> instances,
                        boolean allocated, String message) {
    }

    private static Observation now(TaskStatus status, TransitionReason reason, List<InstanceInfo> infos,
                                   boolean allocated, String message) {
        return new Observation.Now(new Derived(status, reason, infos, allocated, message));
    }

    /** An instance that will never run again: the allocation that had it is over. */
    private static boolean ended(Instance i) {
        return i.status() == InstanceStatus.STATUS_TERMINATED || i.status() == InstanceStatus.STATUS_PREEMPTED;
    }

    private static boolean relocating(List<Instance> current) {
        return current.stream().anyMatch(i -> i.status() == InstanceStatus.STATUS_RELOCATING);
    }

    /** The instances of the bid's current allocation: those the bid lists, in node order. */
    static List<Instance> currentAllocation(Bid bid, List<Instance> bidInstances) {
        Set<String> fids = Set.copyOf(bid.instances());
        return bidInstances.stream().filter(i -> fids.contains(i.fid()))
                .sorted(Comparator.comparingInt(StatusDerivation::node).thenComparing(Instance::fid)).toList();
    }

    /** Instances created together are one allocation (a preemption and re-allocation creates new ones). */
    private static List<List<Instance>> generations(List<Instance> bidInstances) {
        Map<Instant, List<Instance>> byCreation = new TreeMap<>();
        for (Instance i : bidInstances) {
            byCreation.computeIfAbsent(i.createdAt() == null ? Instant.EPOCH : i.createdAt(), k -> new ArrayList<>())
                    .add(i);
        }
        return List.copyOf(byCreation.values());
    }

    /** Running (all nodes up), preempting (first notice) and preempted (all gone) of one allocation, when known. */
    private static List<Step> historySteps(List<Instance> generation, Map<String, List<InstanceStatusHistory.Event>> history) {
        List<Step> steps = new ArrayList<>();
        List<Instance> nodes = generation.stream().sorted(Comparator.comparingInt(StatusDerivation::node)).toList();
        Optional<Instant> running = allReached(nodes, history, s -> s == InstanceStatus.STATUS_RUNNING);
        running.ifPresent(at -> steps.add(new Step(TaskStatus.RUNNING, TransitionReason.ALLOCATED, at,
                nodes.stream().map(i -> info(i, InstanceStatus.STATUS_RUNNING.name(), null)).toList(), true, null)));
        Instant notice = null;
        boolean relocated = false;
        for (Instance i : nodes) {
            for (InstanceStatusHistory.Event e : history.getOrDefault(i.fid(), List.of())) {
                if ((e.status() == InstanceStatus.STATUS_PREEMPTING || e.status() == InstanceStatus.STATUS_RELOCATING)
                        && (running.isEmpty() || !e.timestamp().isBefore(running.get()))
                        && (notice == null || e.timestamp().isBefore(notice))) {
                    notice = e.timestamp();
                    relocated = e.status() == InstanceStatus.STATUS_RELOCATING;
                }
            }
        }
        if (notice != null) {
            steps.add(new Step(TaskStatus.PREEMPTING, relocated ? TransitionReason.RELOCATED : TransitionReason.PREEMPTED,
                    notice, nodes.stream().map(i -> info(i, InstanceStatus.STATUS_PREEMPTING.name(), null)).toList(),
                    true, null));
        }
        allReached(nodes, history, s -> s == InstanceStatus.STATUS_PREEMPTED)
                .ifPresent(at -> steps.add(new Step(TaskStatus.PENDING, TransitionReason.PREEMPTED, at, List.of(),
                        false, null)));
        return steps;
    }

    /** When the last of the nodes first reached a status, if all did. */
    private static Optional<Instant> allReached(List<Instance> nodes, Map<String, List<InstanceStatusHistory.Event>> history,
                                                Predicate<InstanceStatus> status) {
        Instant latest = null;
        for (Instance i : nodes) {
            Optional<Instant> first = history.getOrDefault(i.fid(), List.of()).stream()
                    .filter(e -> status.test(e.status())).map(InstanceStatusHistory.Event::timestamp)
                    .min(Comparator.naturalOrder());
            if (first.isEmpty()) {
                return Optional.empty();
            }
            latest = latest == null || first.get().isAfter(latest) ? first.get() : latest;
        }
        return Optional.ofNullable(latest);
    }

    /** Mithril's time of the current state, or null when the history does not tell. */
    private static Instant finalTime(Derived derived, Bid bid, List<Instance> current, List<Instance> all,
                                     Map<String, List<InstanceStatusHistory.Event>> history) {
        if (derived.status().isTerminal() && bid.status() == BidStatus.TERMINATED) {
            return bid.deactivatedAt() != null ? bid.deactivatedAt()
                    : lastOf(current, history, Set.of(InstanceStatus.STATUS_TERMINATED), true);
        }
        return switch (derived.status()) {
            case RUNNING -> lastOf(current, history, Set.of(InstanceStatus.STATUS_RUNNING), true);
            case PREEMPTING -> lastOf(current, history,
                    Set.of(InstanceStatus.STATUS_PREEMPTING, InstanceStatus.STATUS_RELOCATING), false);
            case FAILED -> lastOf(current, history, Set.of(InstanceStatus.STATUS_ERROR), false);
            case PAUSED -> lastOf(current, history, Set.of(InstanceStatus.STATUS_STOPPING, InstanceStatus.STATUS_PAUSED), false);
            case PENDING -> {
                if (!current.isEmpty()) {
                    yield current.stream().map(Instance::createdAt).filter(Objects::nonNull)
                            .min(Comparator.naturalOrder()).orElse(null);
                }
                if (derived.reason().equals(TransitionReason.PREEMPTED)) {
                    List<Instance> preempted = all.stream()
                            .filter(i -> i.status() == InstanceStatus.STATUS_PREEMPTED).toList();
                    yield lastOf(preempted, history, Set.of(InstanceStatus.STATUS_PREEMPTED), true);
                }
                yield null;
            }
            default -> null;
        };
    }

    /** The last (or first) time any of the instances last entered one of the statuses. */
    private static Instant lastOf(List<Instance> instances, Map<String, List<InstanceStatusHistory.Event>> history,
                                  Set<InstanceStatus> statuses, boolean latest) {
        Instant result = null;
        for (Instance i : instances) {
            Instant entered = history.getOrDefault(i.fid(), List.of()).stream()
                    .filter(e -> statuses.contains(e.status())).map(InstanceStatusHistory.Event::timestamp)
                    .max(Comparator.naturalOrder()).orElse(null);
            if (entered != null && (result == null || (latest ? entered.isAfter(result) : entered.isBefore(result)))) {
                result = entered;
            }
        }
        return result;
    }

    private static Instant clamp(Instant at, Instant now, Instant floor) {
        Instant t = at == null ? now : at;
        return t.isBefore(floor) ? floor : t;
    }

    private static Money min(Money a, Money b) {
        return b == null || a.compareTo(b) <= 0 ? a : b;
    }

    static List<InstanceInfo> infos(List<Instance> instances) {
        return instances.stream().map(i -> info(i, i.status() == null ? null : i.status().name(), i.sshDestination()))
                .toList();
    }

    private static InstanceInfo info(Instance i, String status, String sshDestination) {
        String host = null;
        Integer port = null;
        if (sshDestination != null && !sshDestination.isBlank()) {
            String d = sshDestination.strip();
            int colon = d.lastIndexOf(':');
            // host:port (the emulator's 127.0.0.1:PORT); a bare host means port 22 (Mithril's default)
            if (colon > 0 && d.indexOf(':') == colon) {
                host = d.substring(0, colon);
                port = parsePort(d.substring(colon + 1));
            } else {
                host = d;
                port = 22;
            }
        }
        return new InstanceInfo(i.fid(), node(i), status, host, port);
    }

    private static Integer parsePort(String text) {
        try {
            int p = Integer.parseInt(text);
            return p > 0 && p < 65536 ? p : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The node index from the instance name's {@code -<node>} suffix ({@code flow-task-…-1} → 1); 0 when absent. */
    static int node(Instance i) {
        String name = i.name();
        if (name != null) {
            int dash = name.lastIndexOf('-');
            if (dash >= 0 && dash < name.length() - 1) {
                try {
                    return Integer.parseInt(name.substring(dash + 1));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    static boolean sameEndpoints(List<InstanceInfo> a, List<InstanceInfo> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int k = 0; k < a.size(); k++) {
            InstanceInfo x = a.get(k);
            InstanceInfo y = b.get(k);
            if (!Objects.equals(x.fid(), y.fid()) || x.node() != y.node() || !Objects.equals(x.sshHost(), y.sshHost())
                    || !Objects.equals(x.sshPort(), y.sshPort())) {
                return false;
            }
        }
        return true;
    }

}
