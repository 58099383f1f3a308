package dev.flow.cost.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.status.TaskStatus;

/**
 * What one {@link TaskStatusChanged} does to a task's open intervals. Pure: the same open intervals and the same
 * event always give the same plan, which is what makes a replay rebuild the same ledger.
 *
 * <ul>
 *   <li>While the task is {@code running}, each billable instance (fid, node) at the event's price must have an open
 *       interval. One that already has it at the same price is kept; a changed price, instance or node closes the old
 *       interval and opens a new one at the event's {@code at}.</li>
 *   <li>While the task is {@code preempting}, Mithril still bills its instances through the notice window (NOTES:
 *       "instances stop in 5 minutes"; the emulator's pricing history runs on until the instance is preempted): a
 *       node that was billed and is now {@code STATUS_PREEMPTING} stays billed, at the event's price. A node that
 *       never ran (no open interval) is not billed during the notice either.</li>
 *   <li>In any other status nothing is billable: every open interval closes at {@code at}.</li>
 * </ul>
 */
public final class LedgerPlanner {

    /**
     * Instance states Mithril does not bill (NOTES: "Starting" time is not billed; a preempted, paused or terminated
     * instance no longer runs). Anything else of a running task, including a status the poller did not report, bills.
     */
    static final Set<String> UNBILLED_INSTANCE_STATES = Set.of("STATUS_NEW", "STATUS_CONFIRMED",
            "STATUS_INITIALIZING", "STATUS_STARTING", "STATUS_PAUSED", "STATUS_PREEMPTED", "STATUS_TERMINATED",
            "STATUS_ERROR", "STATUS_REPLACED");

    static final String PREEMPTING = "STATUS_PREEMPTING";

    private LedgerPlanner() {
    }

    /** An instance that should be billed, and at what price per hour. */
    public record Billable(String instanceFid, int node, BigDecimal pricePerHour) {
    }

    /**
     * @param close open intervals to end at {@link #at}
     * @param open  intervals to start at {@link #at}
     * @param at    the event time, to the microsecond (the database's precision, so a replay compares equal)
     * @param stale the event is older than what the ledger already knows of the task (a re-publication or a late
     *              duplicate): it changes nothing
     */
    public record Plan(List<CostInterval> close, List<Billable> open, Instant at, boolean stale) {

        public boolean isEmpty() {
            return close.isEmpty() && open.isEmpty();
        }
    }

    /**
     * @param taskIntervals every interval of the event's task, open or closed
     */
    public static Plan plan(Collection<CostInterval> taskIntervals, TaskStatusChanged event) {
        Instant at = event.at().truncatedTo(ChronoUnit.MICROS);
        Instant known = watermark(taskIntervals);
        if (known != null && at.isBefore(known)) {
            return new Plan(List.of(), List.of(), at, true);
        }
        List<Billable> wanted = new ArrayList<>(event.to() == TaskStatus.PREEMPTING
                ? billedThroughNotice(taskIntervals, event) : billable(event));
        List<CostInterval> close = new ArrayList<>();
        for (CostInterval interval : taskIntervals) {
            if (!interval.isOpen()) {
                continue;
            }
            Billable same = wanted.stream()
                    .filter(b -> b.node() == interval.node && b.instanceFid().equals(interval.instanceFid)
                            && b.pricePerHour().compareTo(interval.pricePerHour) == 0)
                    .findFirst().orElse(null);
            if (same != null) {
                wanted.remove(same);
            } else {
                close.add(interval);
            }
        }
        return new Plan(close, wanted, at, false);
    }

    /** The latest event time the ledger has of a task: the last start or end of its intervals; null for none. */
    static Instant watermark(Collection<CostInterval> taskIntervals) {
        Instant latest = null;
        for (CostInterval interval : taskIntervals) {
            for (Instant t : new Instant[] {interval.startedAt, interval.endedAt}) {
                if (t != null && (latest == null || t.isAfter(latest))) {
                    latest = t;
                }
            }
        }
        return latest;
    }

    /** The instances a status event says are billed from its {@code at} on, one per node. */
    public static List<Billable> billable(TaskStatusChanged event) {
        if (event.to() != TaskStatus.RUNNING) {
            return List.of();
        }
        BigDecimal price = event.pricePerHour() == null ? BigDecimal.ZERO : event.pricePerHour().amount();
        List<Billable> out = new ArrayList<>();
        if (event.instances().isEmpty()) {
            // a running task whose nodes were not listed: bill the declared count under placeholder names
            for (int node = 0; node < event.numInstances(); node++) {
                out.add(new Billable(placeholderFid(event, node), node, price));
            }
            return out;
        }
        for (InstanceInfo instance : event.instances()) {
            if (instance.status() != null && UNBILLED_INSTANCE_STATES.contains(instance.status())) {
                continue;
            }
            if (out.stream().anyMatch(b -> b.node() == instance.node())) {
                continue; // one interval per node; a duplicate listing must not bill twice
            }
            String fid = instance.fid() == null || instance.fid().isBlank() ? placeholderFid(event, instance.node())
                    : instance.fid();
            out.add(new Billable(fid, instance.node(), price));
        }
        return out;
    }

    /**
     * The nodes of a preempting task that Mithril bills until the notice ends: those listed as
     * {@code STATUS_PREEMPTING} that have an open interval (they were running when the notice came).
     */
    static List<Billable> billedThroughNotice(Collection<CostInterval> taskIntervals, TaskStatusChanged event) {
        if (event.pricePerHour() == null) {
            return List.of();
        }
        BigDecimal price = event.pricePerHour().amount();
        List<Billable> out = new ArrayList<>();
        for (InstanceInfo instance : event.instances()) {
            if (!PREEMPTING.equals(instance.status()) || out.stream().anyMatch(b -> b.node() == instance.node())) {
                continue;
            }
            boolean wasBilled = taskIntervals.stream().anyMatch(i -> i.isOpen() && i.node == instance.node()
                    && i.instanceFid.equals(instance.fid()));
            if (wasBilled) {
                out.add(new Billable(instance.fid(), instance.node(), price));
            }
        }
        return out;
    }

    private static String placeholderFid(TaskStatusChanged event, int node) {
        return (event.bidFid() != null ? event.bidFid() : event.taskId()) + "/node-" + node;
    }
}
