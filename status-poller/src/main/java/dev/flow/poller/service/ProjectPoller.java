package dev.flow.poller.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstanceStatusHistory;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.poller.config.PollerConfig;
import dev.flow.poller.domain.TaskRegistry;
import dev.flow.poller.domain.TaskView;
import dev.flow.poller.messaging.EventPublisher;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * One project's part of a cycle: a sweep or a delta read ({@link DeltaPolling}), then the status of each task read,
 * and the publishing of what changed. A project that fails commits nothing: the next cycle reads it again from the
 * same point.
 */
@ApplicationScoped
public class ProjectPoller {

    private static final Logger LOG = Logger.getLogger(ProjectPoller.class);

    private static final String SOURCE = "status-poller";
    /** Tasks whose changes are published at the same time; the Kafka producer batches their records. */
    private static final int PUBLISH_CONCURRENCY = 256;

    private final MithrilReads reads;
    private final DeltaPolling delta;
    private final TaskRegistry registry;
    private final EventPublisher publisher;
    private final PollerConfig config;
    private final Orphans orphans;

    public ProjectPoller(MithrilReads reads, DeltaPolling delta, TaskRegistry registry, EventPublisher publisher,
                         PollerConfig config, Orphans orphans) {
        this.reads = reads;
        this.delta = delta;
        this.registry = registry;
        this.publisher = publisher;
        this.config = config;
        this.orphans = orphans;
    }

    /** Polls one project; the number of transitions published. */
    Uni<Integer> poll(String project, List<TaskView> tasks, Cycle cycle, boolean sweepAll) {
        return reads.projectFid(project, cycle).chain(fid -> {
            if (tasks.isEmpty()) {
                // a project looked at for orphans only (flow.poller.orphan-projects): its newest bids
                return reads.bidPages(fid, tasks, cycle, new AtomicInteger())
                        .invoke(bids -> orphans.observe(project, bids, Instant.now())).replaceWith(0);
            }
            cycle.projectFids.add(fid);
            DeltaPolling.Plan plan = delta.plan(fid, sweepAll);
            return plan.sweep() ? sweep(project, fid, tasks, cycle) : deltaRead(project, fid, tasks, plan, cycle);
        });
    }

    /**
     * Every task's bid and instances: the project's bids (newest first, paged until every task's bid was seen) and
     * the instances of the bids already known (from BidPlaced) at the same time; only the bids found by name (a task
     * whose BidPlaced has not arrived) need a second instance query.
     */
    private Uni<Integer> sweep(String project, String fid, List<TaskView> tasks, Cycle cycle) {
        long listStart = System.nanoTime();
        cycle.sweeps.incrementAndGet();
        AtomicInteger bidPages = new AtomicInteger();
        List<String> knownFids = tasks.stream().map(TaskView::bidFid).filter(Objects::nonNull).distinct().toList();
        return Uni.combine().all().unis(reads.bidPages(fid, tasks, cycle, bidPages),
                        reads.instances(fid, knownFids, cycle))
                .asTuple().chain(both -> {
                    List<Bid> bids = both.getItem1();
                    orphans.observe(project, bids, Instant.now());
                    Map<TaskView, Bid> matched = match(tasks, bids);
                    Set<String> listed = new HashSet<>(knownFids);
                    List<String> byNameOnly = matched.values().stream().map(Bid::fid).distinct()
                            .filter(f -> !listed.contains(f)).toList();
                    Set<String> readAgain = ConcurrentHashMap.newKeySet();
                    return reads.instances(fid, byNameOnly, cycle).chain(more -> {
                        List<Instance> instances = new ArrayList<>(both.getItem2());
                        instances.addAll(more);
                        cycle.listMillis.addAndGet(Cycle.millisSince(listStart));
                        return evaluate(fid, matched, instances, cycle, readAgain);
                    }).invoke(() -> delta.swept(fid, cycle.startedAt, matched.keySet().stream()
                            .filter(t -> !readAgain.contains(t.taskId())).toList(), bidPages.get()));
                });
    }

    /**
     * The project's instance status history since its last good cycle names the tasks that changed at Mithril;
     * those, and the tasks the lifecycle says are moving, get their bid and instances read. A quiet cycle is one call.
     */
    private Uni<Integer> deltaRead(String project, String fid, List<TaskView> tasks, DeltaPolling.Plan plan,
                                   Cycle cycle) {
        long listStart = System.nanoTime();
        return reads.changesSince(fid, plan.windowStart(), cycle).chain(changes -> {
            DeltaPolling.Dirty dirty = delta.dirty(fid, tasks, changes);
            if (dirty.tasks().isEmpty()) {
                cycle.listMillis.addAndGet(Cycle.millisSince(listStart));
                return Uni.createFrom().item(0).invoke(() -> delta.advanced(fid, cycle.startedAt, tasks, Set.of(),
                        dirty.seenEvents()));
            }
            // a few bids one call each, more by the project's pages (newest first, until all are found)
            Uni<List<Bid>> bids = dirty.tasks().size() < delta.bidPages(fid)
                    ? reads.bidsOneByOne(fid, dirty.tasks(), cycle)
                    : reads.bidPages(fid, dirty.tasks(), cycle, new AtomicInteger());
            return bids.chain(found -> {
                orphans.observe(project, found, Instant.now());
                Map<TaskView, Bid> matched = match(dirty.tasks(), found);
                List<String> bidFids = matched.values().stream().map(Bid::fid).distinct().toList();
                Set<String> readAgain = ConcurrentHashMap.newKeySet();
                return reads.instances(fid, bidFids, cycle).chain(instances -> {
                    cycle.listMillis.addAndGet(Cycle.millisSince(listStart));
                    return evaluate(fid, matched, instances, cycle, readAgain);
                }).invoke(() -> {
                    Set<String> read = new HashSet<>();
                    matched.keySet().forEach(t -> read.add(t.taskId()));
                    read.removeAll(readAgain);
                    delta.advanced(fid, cycle.startedAt, tasks, read, dirty.seenEvents());
                });
            });
        });
    }

    /** A task's bid: the one its BidPlaced named, else the newest bid of its name (until BidPlaced arrives). */
    private static Map<TaskView, Bid> match(List<TaskView> tasks, List<Bid> bids) {
        Map<String, Bid> byFid = new HashMap<>();
        Map<String, Bid> byName = new HashMap<>();
        for (Bid b : bids) {
            byFid.put(b.fid(), b);
            // bids come newest first: the newest bid of a name wins
            byName.putIfAbsent(b.name(), b);
        }
        Map<TaskView, Bid> matched = new LinkedHashMap<>();
        for (TaskView t : tasks) {
            Bid bid = t.bidFid() != null ? byFid.get(t.bidFid()) : byName.get(t.bidName());
            if (bid != null) {
                matched.put(t, bid);
            }
        }
        return matched;
    }

    /**
     * Derives each matched task's status and publishes what changed.
     *
     * @param readAgain collects the tasks whose bid and instances disagreed (read at different moments): they are not
     *                  counted as read, so the next cycle reads them again whatever the history says
     */
    private Uni<Integer> evaluate(String projectFid, Map<TaskView, Bid> matched, List<Instance> instances,
                                  Cycle cycle, Set<String> readAgain) {
        Map<String, List<Instance>> byBid = new HashMap<>();
        for (Instance i : instances) {
            if (i.bid() != null) {
                byBid.computeIfAbsent(i.bid(), b -> new ArrayList<>()).add(i);
            }
        }
        Instant now = Instant.now();
        List<Change> changes = new ArrayList<>();
        for (var entry : matched.entrySet()) {
            TaskView task = entry.getKey();
            Bid bid = entry.getValue();
            List<Instance> own = byBid.getOrDefault(bid.fid(), List.of());
            switch (StatusDerivation.derive(task, bid, own, now, config.unexplainedTerminationGrace())) {
                case StatusDerivation.Observation.Now n when StatusDerivation.differs(task, n.derived()) ->
                        changes.add(new Change(task, bid, own, n.derived()));
                case StatusDerivation.Observation.WaitForCause w ->
                        registry.unexplainedTerminationSeen(task.taskId(), now);
                case StatusDerivation.Observation.Inconsistent i -> {
                    LOG.debugf("task %s: bid %s says %s but an instance of it already ended; read again next cycle",
                            task.taskId(), bid.fid(), bid.status());
                    readAgain.add(task.taskId());
                }
                default -> {
                    // unchanged: nothing to publish
                }
            }
        }
        if (changes.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        // the history only for the changes it can tell something about, read after the lists (so it holds every
        // step they show), from where each task needs it, and by the cheaper way (see MithrilReads.history)
        List<Change> needing = changes.stream().filter(ProjectPoller::needsHistory).toList();
        Function<TaskView, Instant> from = t -> delta.historyFrom(projectFid, t, cycle.startedAt);
        Instant since = needing.stream().map(c -> from.apply(c.task())).min(Instant::compareTo)
                .orElse(cycle.startedAt);
        List<String> changedBids = needing.stream().map(c -> c.bid().fid()).distinct().toList();
        long historyStart = System.nanoTime();
        return Uni.combine().all().unis(reads.history(projectFid, changedBids, instances.size(), since, cycle),
                cycle.prices()).asTuple().chain(hp -> {
            long publishStart = System.nanoTime();
            cycle.historyMillis.addAndGet((publishStart - historyStart) / 1_000_000);
            // tasks in parallel (the producer batches their records), each task's transitions in order
            return Multi.createFrom().iterable(changes)
                    .onItem().transformToUni(c -> publish(c, hp.getItem1(), hp.getItem2(), now))
                    .merge(PUBLISH_CONCURRENCY)
                    .collect().asList()
                    .map(counts -> counts.stream().mapToInt(Integer::intValue).sum())
                    .invoke(() -> cycle.publishMillis.addAndGet(Cycle.millisSince(publishStart)));
        });
    }

    private record Change(TaskView task, Bid bid, List<Instance> instances, Derived derived) {
    }

    private static boolean needsHistory(Change c) {
        return StatusDerivation.needsHistory(c.task(), c.derived(), c.bid(), c.instances());
    }

    private Uni<Integer> publish(Change c, Map<String, List<InstanceStatusHistory.Event>> history,
                                 Map<String, Money> prices, Instant now) {
        Money spot = prices.get(c.bid().instanceType() + "@" + c.bid().region());
        List<TaskStatusChanged> transitions = StatusDerivation.plan(c.task(), c.derived(), c.bid(), c.instances(),
                history, spot, now);
        if (transitions.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        // all of the task's transitions handed to the producer at once, in order (same key, same partition; the
        // idempotent producer keeps their order), instead of one broker round trip each; the snapshot still waits
        // for all of them, so a restart never reads a snapshot ahead of its published transitions; the registry keeps
        // what was sent (a resend carries its first content, see EventPublisher)
        return Uni.join().all(transitions.stream().map(publisher::statusChanged).toList()).andFailFast()
                .chain(sent -> registry.commit(c.task(), sent).map(publisher::snapshot)
                        .orElse(Uni.createFrom().voidItem()))
                .chain(() -> askToStopIfNeeded(c, transitions.getLast()))
                .replaceWith(transitions.size());
    }

    /** A task that failed at the provider still holds a bid: ask the submitter (the only Mithril writer) to end it. */
    private Uni<Void> askToStopIfNeeded(Change c, TaskStatusChanged last) {
        if (last.to() == TaskStatus.FAILED && TransitionReason.PROVIDER_ERROR.equals(last.reason())
                && c.bid().status() != BidStatus.TERMINATED) {
            return publisher.stop(new StopTask(c.task().taskId(), TransitionReason.PROVIDER_ERROR, SOURCE, last.at()));
        }
        return Uni.createFrom().voidItem();
    }
}
