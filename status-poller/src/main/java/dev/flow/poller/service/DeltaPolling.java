package dev.flow.poller.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.flow.mithril.client.model.InstanceStatusHistory;
import dev.flow.model.event.InstanceInfo;
import dev.flow.poller.config.PollerConfig;
import dev.flow.poller.domain.TaskView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What a cycle must read of each project (see README "How a cycle works"). A <b>sweep</b> lists the project's bids
 * and the instances of every task's bid, as every cycle once did; it runs for a project's first cycle and then every
 * {@code flow.poller.sweep-every} cycles, as a safety net for what the instance history cannot show. Between sweeps,
 * a <b>delta</b> cycle reads the project's instance status history since its last good cycle (less
 * {@code flow.poller.history-overlap}), and only the tasks it names, plus those the lifecycle topic says are moving
 * (new, being stopped, exited, resubmitted, a termination waiting for its cause) get their bid and instances read.
 *
 * <p>State per project, changed only when a cycle of the project succeeded (a failed one is read again from the same
 * point): the start of the last good cycle, the tasks it watched and their bid (a task this replica did not watch
 * then, such as one gained in a rebalance, is read, and its history is read back to its last transition), and the
 * history events already seen in the overlap (a task whose only news was seen last cycle is not read again).
 * Cycles never overlap, so no lock beyond the map's is needed.
 */
@ApplicationScoped
public class DeltaPolling {

    /** A project's position: what its last good cycle covered. */
    private record Position(Instant since, Map<String, String> watched, Set<String> seenEvents, int cyclesSinceSweep,
                            int bidPages) {
    }

    /** What to read this cycle: a sweep, or the history since {@code windowStart} (null for a sweep). */
    record Plan(boolean sweep, Instant windowStart) {
    }

    /** The tasks a delta cycle reads, and the history events it has seen. */
    record Dirty(List<TaskView> tasks, Set<String> seenEvents) {
    }

    private final Map<String, Position> positions = new ConcurrentHashMap<>();
    private final int sweepEvery;
    private final Duration overlap;
    private volatile boolean sweepRequested;

    @Inject
    public DeltaPolling(PollerConfig config) {
        this(config.sweepEvery(), config.historyOverlap());
    }

    public DeltaPolling(int sweepEvery, Duration overlap) {
        this.sweepEvery = Math.max(1, sweepEvery);
        this.overlap = overlap;
    }

    /** The next cycle sweeps every project (tests; an operator's doubt). */
    public void requestSweep() {
        sweepRequested = true;
    }

    /** Called once per cycle, before its projects: a requested sweep applies to this cycle. */
    boolean takeSweepRequest() {
        boolean requested = sweepRequested;
        sweepRequested = false;
        return requested;
    }

    Plan plan(String projectFid, boolean sweepAll) {
        Position p = positions.get(projectFid);
        if (sweepAll || p == null || p.cyclesSinceSweep() + 1 >= sweepEvery) {
            return new Plan(true, p == null ? null : p.since().minus(overlap));
        }
        return new Plan(false, p.since().minus(overlap));
    }

    /**
     * Forgets the projects a cycle did not poll for tasks (none active here any more): when tasks come back, the
     * project is swept first, rather than its history read from a long-past last cycle.
     */
    void retain(Set<String> polledProjectFids) {
        positions.keySet().retainAll(polledProjectFids);
    }

    /** The pages the project's last sweep read to find every bid: paging costs about that many calls. */
    int bidPages(String projectFid) {
        Position p = positions.get(projectFid);
        return p == null ? 1 : p.bidPages();
    }

    /**
     * The tasks a delta cycle must read: those whose bid had a status event not seen before, those this replica did
     * not watch at the last good cycle (or watched on another bid), and those whose next step the history cannot
     * show: no bid fid yet, a stop or an exit waiting for the bid to end (a bid without instances ends with no
     * instance event), a termination waiting for its cause, a new bid not published yet.
     */
    Dirty dirty(String projectFid, List<TaskView> tasks, List<InstanceStatusHistory> changes) {
        Position p = positions.get(projectFid);
        Set<String> seenBefore = p == null ? Set.of() : p.seenEvents();
        Set<String> seen = new HashSet<>();
        Set<String> changedBids = new HashSet<>();
        Set<String> changedInstances = new HashSet<>();
        for (InstanceStatusHistory h : changes) {
            for (InstanceStatusHistory.Event e : h.events()) {
                String key = h.instanceFid() + "@" + e.timestamp() + "/" + e.status();
                seen.add(key);
                if (!seenBefore.contains(key)) {
                    changedInstances.add(h.instanceFid());
                    if (h.bidFid() != null) {
                        changedBids.add(h.bidFid());
                    }
                }
            }
        }
        List<TaskView> out = new ArrayList<>();
        for (TaskView t : tasks) {
            boolean watched = p != null && bidKey(t).equals(p.watched().get(t.taskId()));
            if (!watched || mustWatch(t) || t.bidFid() != null && changedBids.contains(t.bidFid())
                    || t.instances().stream().map(InstanceInfo::fid).anyMatch(changedInstances::contains)) {
                out.add(t);
            }
        }
        return new Dirty(out, seen);
    }

    /** Whether the history may not show the task's next step (see {@link #dirty}). */
    static boolean mustWatch(TaskView t) {
        return t.bidFid() == null || t.stopReason() != null || t.exitCode() != null
                || t.unexplainedTerminationSeenAt() != null || t.newBidUnpublished();
    }

    /**
     * Where a task's history must be read from to date its change: from its last transition, or, for a task watched
     * since the window's start, from the window (every event before it was seen by an earlier cycle).
     */
    Instant historyFrom(String projectFid, TaskView t, Instant fallback) {
        Instant from = (t.at() == null ? fallback : t.at()).minusSeconds(5);
        Position p = positions.get(projectFid);
        if (p != null && bidKey(t).equals(p.watched().get(t.taskId()))) {
            Instant windowStart = p.since().minus(overlap);
            return from.isBefore(windowStart) ? windowStart : from;
        }
        return from;
    }

    /** A sweep of the project succeeded: every task in {@code read} was seen on its bid. */
    void swept(String projectFid, Instant cycleStart, List<TaskView> read, int bidPages) {
        Map<String, String> watched = new HashMap<>();
        read.forEach(t -> watched.put(t.taskId(), bidKey(t)));
        positions.put(projectFid, new Position(cycleStart, watched, Set.of(), 0, Math.max(1, bidPages)));
    }

    /**
     * A delta cycle of the project succeeded: the tasks in {@code read} were read on their bid; the others kept what
     * they were watched on, and the tasks no longer active are forgotten.
     */
    void advanced(String projectFid, Instant cycleStart, List<TaskView> tasks, Set<String> read,
                  Set<String> seenEvents) {
        Position p = positions.get(projectFid);
        Map<String, String> watched = new HashMap<>();
        for (TaskView t : tasks) {
            if (read.contains(t.taskId())) {
                watched.put(t.taskId(), bidKey(t));
            } else if (p != null && p.watched().containsKey(t.taskId())) {
                watched.put(t.taskId(), p.watched().get(t.taskId()));
            }
        }
        positions.put(projectFid, new Position(cycleStart, watched, seenEvents,
                p == null ? 1 : p.cyclesSinceSweep() + 1, p == null ? 1 : p.bidPages()));
    }

    private static String bidKey(TaskView t) {
        return t.bidFid() != null ? t.bidFid() : "name:" + t.bidName();
    }
}
