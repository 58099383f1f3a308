package dev.flow.system.faults;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.system.faults.MithrilTruth.Bid;
import dev.flow.system.faults.TopicRecorder.Seen;
import dev.flow.system.faults.Workload.Task;

/**
 * The promises the suite checks once every task ended, each against the emulator's own truth or the topics
 * themselves. Each check returns its violations, one line each naming the task and what happened (empty: kept), and
 * the figures it measured go to {@link #figures}.
 */
final class Invariants {

    private static final Pattern OUR_BID = Pattern.compile("flow-(task-[0-9a-z]+)(?:-r(\\d+))?");
    /** Microsecond rounding of event times (the ledger keeps microseconds): far below a cent. */
    private static final BigDecimal ROUNDING = new BigDecimal("0.00001");

    private final List<Task> tasks;
    private final Map<String, List<Seen>> status;
    /** Submits first answered 5xx: such a task may have been failed by the reconciler, without a bid. */
    private final java.util.Set<String> uncertain;
    /** Uncertain submits that the reconciler failed (no bid at Mithril): checked as such, then left out. */
    private final java.util.Set<String> failedAtSubmission = new java.util.HashSet<>();
    final Map<String, String> figures = new LinkedHashMap<>();

    Invariants(List<Task> tasks, Map<String, List<Seen>> statusByTask, java.util.Set<String> uncertain) {
        this.tasks = tasks;
        this.status = statusByTask;
        this.uncertain = uncertain;
    }

    /**
     * A submit answered 5xx whose bid Mithril never had: the submitter must show the task failed, with no bid and
     * no status event; every other promise then has nothing to check for it. Call first.
     */
    List<String> failedSubmissions(Map<String, JsonNode> views, Map<String, List<Bid>> bidsByTask) {
        List<String> violations = new ArrayList<>();
        for (String id : uncertain) {
            if (!bidsByTask.getOrDefault(id, List.of()).isEmpty()) {
                continue; // adopted: a task like any other
            }
            failedAtSubmission.add(id);
            JsonNode view = views.get(id);
            if (view == null || !"failed".equals(view.path("status").asText())) {
                violations.add(id + ": submit answered 5xx, no bid at Mithril, but the submitter shows "
                        + (view == null ? "nothing" : view.path("status").asText()) + " instead of failed");
            }
            if (!status.getOrDefault(id, List.of()).isEmpty()) {
                violations.add(id + ": never had a bid but has status events");
            }
        }
        figures.put("submits answered 5xx (bid outcome unknown)", uncertain.size() + ", of which "
                + failedAtSubmission.size() + " failed by the reconciler (no bid), " + (uncertain.size()
                - failedAtSubmission.size()) + " adopted");
        return violations;
    }

    private List<Task> checked() {
        return tasks.stream().filter(t -> !failedAtSubmission.contains(t.id())).toList();
    }

    /** The status events of a task, one per {@code ce_id} (a repeat is checked by {@link #transitions}). */
    List<TaskStatusChanged> changes(String taskId) {
        Map<String, TaskStatusChanged> byId = new LinkedHashMap<>();
        for (Seen seen : status.getOrDefault(taskId, List.of())) {
            if (seen.event() instanceof TaskStatusChanged change) {
                byId.putIfAbsent(seen.ceId(), change);
            }
        }
        return List.copyOf(byId.values());
    }

    /** Every task ended in its kind's status with its kind's reason, on the topic and in the submitter's view. */
    List<String> terminalStatuses(Map<String, JsonNode> views) {
        List<String> violations = new ArrayList<>();
        for (Task task : checked()) {
            List<TaskStatusChanged> changes = changes(task.id());
            TaskStatusChanged last = changes.isEmpty() ? null : changes.getLast();
            if (last == null || last.to() != task.kind().status
                    || !task.kind().reason.equals(String.valueOf(last.reason()))) {
                violations.add(task.id() + " (" + task.kind() + "): last status event " + (last == null ? "none"
                        : last.to() + "/" + last.reason()) + ", expected " + task.kind().status + "/"
                        + task.kind().reason);
            }
            JsonNode view = views.get(task.id());
            if (view == null || !task.kind().status.toString().equals(view.path("status").asText())
                    || view.path("restart_count").asInt() != task.kind().restarts()) {
                violations.add(task.id() + " (" + task.kind() + "): the submitter shows " + (view == null ? "nothing"
                        : view.path("status").asText() + " after " + view.path("restart_count").asInt()
                        + " restart(s)") + ", expected " + task.kind().status + " after " + task.kind().restarts());
            }
        }
        return violations;
    }

    /**
     * Mithril's bids: every bid named like the platform's belongs to a task of the suite (no orphan was paid for);
     * each task had exactly one bid per attempt and never two live at once; no bid of an ended task is live.
     */
    List<String> bids(Map<String, List<Bid>> bidsByTask, List<Bid> all) {
        List<String> violations = new ArrayList<>();
        for (Bid bid : all) {
            if (bid.name().startsWith("flow-") && tasks.stream().noneMatch(t -> t.id().equals(taskIdOf(bid.name())))) {
                violations.add("bid " + bid.fid() + " (" + bid.name() + ", " + bid.status()
                        + ") belongs to no task of the suite");
            }
        }
        for (Task task : checked()) {
            List<Bid> bids = new ArrayList<>(bidsByTask.getOrDefault(task.id(), List.of()));
            bids.sort(Comparator.comparing(Bid::createdAt));
            if (bids.size() != task.kind().restarts() + 1) {
                violations.add(task.id() + " (" + task.kind() + "): " + bids.size() + " bid(s) "
                        + bids.stream().map(Bid::name).toList() + ", expected " + (task.kind().restarts() + 1));
            }
            if (bids.stream().map(Bid::name).distinct().count() != bids.size()) {
                violations.add(task.id() + ": two bids of one name " + bids.stream().map(Bid::name).toList());
            }
            for (Bid bid : bids) {
                if (bid.live()) {
                    violations.add(task.id() + " (" + task.kind() + ") ended but its bid " + bid.fid() + " is "
                            + bid.status());
                }
            }
            for (int i = 1; i < bids.size(); i++) {
                Bid previous = bids.get(i - 1);
                if (previous.deactivatedAt() == null || bids.get(i).createdAt().isBefore(previous.deactivatedAt())) {
                    violations.add(task.id() + ": bid " + bids.get(i).name() + " placed at " + bids.get(i).createdAt()
                            + " while " + previous.name() + " was live (ended " + previous.deactivatedAt() + ")");
                }
            }
        }
        return violations;
    }

    /**
     * Each task's transitions on {@code flow.task.status}: a chain (each event starts where the previous ended),
     * ending in one terminal event, with a running phase before a workload exit; a record published twice carries
     * the same {@code ce_id} and the same event, and one transition (one step: from, to, Mithril's time of it and the
     * nodes' endpoints) never comes under two ids. Only the processing time {@code observedAt} of a repeat may be
     * later: a poller killed after the broker wrote a transition, before it recorded so, observes the step again.
     */
    List<String> transitions() {
        List<String> violations = new ArrayList<>();
        int repeats = 0;
        for (Task task : checked()) {
            Map<String, TaskStatusChanged> byId = new HashMap<>();
            Map<String, String> idOfTransition = new HashMap<>();
            for (Seen seen : status.getOrDefault(task.id(), List.of())) {
                if (!(seen.event() instanceof TaskStatusChanged change)) {
                    continue;
                }
                TaskStatusChanged first = byId.putIfAbsent(seen.ceId(), change);
                if (first != null) {
                    repeats++;
                    if (!first.equals(withObservedAt(change, first.observedAt()))) {
                        violations.add(task.id() + ": ce_id " + seen.ceId() + " carries two different events: "
                                + describe(first) + " and " + describe(change));
                    }
                    continue;
                }
                String transition = change.from() + ">" + change.to() + "@" + change.at() + " on " + change.instances()
                        .stream().map(i -> i.fid() + "/" + i.sshHost() + ":" + i.sshPort()).toList();
                String other = idOfTransition.putIfAbsent(transition, seen.ceId());
                if (other != null) {
                    violations.add(task.id() + ": transition " + transition + " published under two ids " + other
                            + " and " + seen.ceId());
                }
            }
            List<TaskStatusChanged> changes = changes(task.id());
            if (changes.isEmpty()) {
                violations.add(task.id() + ": no status event at all");
                continue;
            }
            for (int i = 0; i < changes.size(); i++) {
                TaskStatusChanged change = changes.get(i);
                if (i > 0 && changes.get(i - 1).to() != change.from()) {
                    violations.add(task.id() + ": a gap: " + describe(changes.get(i - 1)) + " then "
                            + describe(change));
                }
                if (i > 0 && change.at().isBefore(changes.get(i - 1).at())) {
                    violations.add(task.id() + ": out of order: " + describe(changes.get(i - 1)) + " then "
                            + describe(change));
                }
                if (change.to().isTerminal() != (i == changes.size() - 1)) {
                    violations.add(task.id() + ": terminal status not last: " + describe(change) + " at " + i
                            + " of " + changes.size());
                }
            }
            if (task.kind().status == TaskStatus.COMPLETED || task.kind().status == TaskStatus.FAILED) {
                if (changes.stream().noneMatch(c -> c.to() == TaskStatus.RUNNING)) {
                    violations.add(task.id() + ": ended by its workload without a running event");
                }
            }
        }
        figures.put("status records read twice (same ce_id)", Integer.toString(repeats));
        return violations;
    }

    /**
     * Every workload line of every node (as the emulator's container log has it) is on {@code flow.task.logs}
     * exactly once.
     */
    List<String> logs(Map<String, List<Seen>> logsByTask, Map<String, Map<Integer, List<String>>> truth) {
        List<String> violations = new ArrayList<>();
        long expected = 0;
        long lost = 0;
        long duplicated = 0;
        for (Task task : checked()) {
            Map<Integer, List<String>> published = new TreeMap<>();
            for (Seen seen : logsByTask.getOrDefault(task.id(), List.of())) {
                if (seen.event() instanceof LogLine line && line.text().startsWith("fs-")) {
                    published.computeIfAbsent(line.node(), n -> new ArrayList<>()).add(line.text());
                }
            }
            Map<Integer, List<String>> printed = truth.getOrDefault(task.id(), Map.of());
            for (int node = 0; node < task.kind().nodes; node++) {
                List<String> want = new ArrayList<>(printed.getOrDefault(node, List.of()));
                List<String> got = new ArrayList<>(published.getOrDefault(node, List.of()));
                expected += want.size();
                if (want.isEmpty()) {
                    violations.add(task.id() + " node " + node + ": the emulator has no workload line");
                }
                Map<String, Integer> counts = new HashMap<>();
                want.forEach(t -> counts.merge(t, 1, Integer::sum));
                got.forEach(t -> counts.merge(t, -1, Integer::sum));
                int missing = counts.values().stream().filter(c -> c > 0).mapToInt(Integer::intValue).sum();
                int extra = counts.values().stream().filter(c -> c < 0).mapToInt(c -> -c).sum();
                lost += missing;
                duplicated += extra;
                if (missing > 0 || extra > 0) {
                    violations.add(task.id() + " (" + task.kind() + ") node " + node + ": printed " + want
                            + ", published " + got);
                }
            }
        }
        figures.put("workload lines printed", Long.toString(expected));
        figures.put("log lines lost", Long.toString(lost));
        figures.put("log lines duplicated", Long.toString(duplicated));
        return violations;
    }

    /** The ledger of each task equals Mithril's billing of its bids (to the micro-dollar). */
    List<String> ledger(Map<String, BigDecimal> ledgerByTask, Map<String, BigDecimal> billedByTask) {
        List<String> violations = new ArrayList<>();
        BigDecimal ledgerTotal = BigDecimal.ZERO;
        BigDecimal billedTotal = BigDecimal.ZERO;
        for (Task task : checked()) {
            BigDecimal ledger = ledgerByTask.get(task.id());
            BigDecimal billed = billedByTask.getOrDefault(task.id(), BigDecimal.ZERO);
            billedTotal = billedTotal.add(billed);
            if (ledger == null) {
                violations.add(task.id() + ": no ledger");
                continue;
            }
            ledgerTotal = ledgerTotal.add(ledger);
            if (ledger.subtract(billed).abs().compareTo(ROUNDING) > 0) {
                violations.add(task.id() + " (" + task.kind() + "): ledger $" + ledger.toPlainString()
                        + ", Mithril billed $" + billed.toPlainString());
            }
        }
        figures.put("ledger total", "$" + ledgerTotal.toPlainString());
        figures.put("Mithril billed total", "$" + billedTotal.toPlainString());
        return violations;
    }

    /**
     * Every stop asked for (a user's cancel once accepted, a budget's {@code StopTask}) ended the task's bid within
     * two poll cycles of the request, once nothing it needs is down: a stop asked during a fault window is measured
     * from the window's end. Returns the violations; the delays go to {@link #figures}.
     */
    List<String> stops(Map<String, Instant> cancels, List<Seen> commands, Map<String, List<Bid>> bidsByTask,
                       Duration pollCycle, FaultLog faults) {
        Map<String, Instant> requested = new LinkedHashMap<>(cancels);
        for (Seen seen : commands) {
            if (seen.event() instanceof StopTask stop && TransitionReason.BUDGET_STOP.equals(stop.reason())) {
                requested.merge(stop.taskId(), Instant.ofEpochMilli(seen.timestamp()),
                        (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        List<String> violations = new ArrayList<>();
        List<Long> delays = new ArrayList<>();
        for (Map.Entry<String, Instant> entry : requested.entrySet()) {
            List<Bid> bids = bidsByTask.getOrDefault(entry.getKey(), List.of());
            Instant ended = bids.stream().map(Bid::deactivatedAt).filter(Objects::nonNull)
                    .max(Comparator.naturalOrder()).orElse(null);
            if (ended == null) {
                violations.add(entry.getKey() + ": stop requested at " + entry.getValue() + ", its bid never ended");
                continue;
            }
            Instant from = faults.endOfWindowAround(entry.getValue());
            long delay = Math.max(0, Duration.between(from, ended).toMillis());
            delays.add(delay);
            if (delay > 2 * pollCycle.toMillis()) {
                violations.add(entry.getKey() + ": stop requested at " + entry.getValue() + " (counted from " + from
                        + "), bid ended " + ended + ": " + delay + " ms, more than two poll cycles ("
                        + 2 * pollCycle.toMillis() + " ms)");
            }
        }
        delays.sort(null);
        figures.put("stops measured", Integer.toString(delays.size()));
        if (!delays.isEmpty()) {
            figures.put("stop to bid ended, median / max", delays.get(delays.size() / 2) + " ms / "
                    + delays.getLast() + " ms");
        }
        return violations;
    }

    /** The task id in a bid name {@code flow-<task id>[-r<k>]}. */
    static String taskIdOf(String bidName) {
        Matcher m = OUR_BID.matcher(bidName);
        return m.matches() ? m.group(1) : bidName;
    }

    private static TaskStatusChanged withObservedAt(TaskStatusChanged c, Instant observedAt) {
        return new TaskStatusChanged(c.taskId(), c.project(), c.from(), c.to(), c.reason(), c.at(), observedAt,
                c.instances(), c.pricePerHour(), c.numInstances(), c.bidFid(), c.region(), c.instanceType(),
                c.restartCount(), c.message());
    }

    private static String describe(TaskStatusChanged c) {
        return c.from() + "->" + c.to() + "/" + c.reason() + "@" + c.at();
    }
}
