package dev.flow.poller.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidQuery;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.HistoryQuery;
import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstanceQuery;
import dev.flow.mithril.client.model.InstanceStatusHistory;
import dev.flow.mithril.client.model.Page;
import dev.flow.mithril.client.model.SortDirection;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.ResubmitTask;
import dev.flow.poller.messaging.Ownership;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.poller.config.PollerConfig;
import dev.flow.poller.domain.TaskRegistry;
import dev.flow.poller.domain.TaskView;
import dev.flow.poller.messaging.EventPublisher;
import dev.flow.poller.messaging.StateTopic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The polling cycle. Per project with active tasks it makes <b>list calls only</b>, whatever the number of tasks:
 * {@code GET /v2/spot/bids?project=} (newest first, paged until every task's bid was seen) and
 * {@code GET /v2/instances?project=&bid_fid_in=} (paged, in chunks
 * of bid fids). Only when a task's status or instance set changed does it add, once per project, the instance status
 * history of the project since the oldest changed task's last transition (to date the steps and restore those
 * between two polls) and, once per cycle, the spot availability (the price of allocated instances).
 *
 * <p>Cycles never overlap: the next starts {@code flow.poller.interval} after the previous ended, or
 * {@code flow.poller.steady-interval} when every task is steadily running or paused ({@link PollInterval}). Each
 * cycle also asks the submitter to stop the tasks that ran past their {@code max_run_time_hours}. A failing project
 * is logged and polled again next cycle; nothing is committed for it, so no transition is lost.
 */
@ApplicationScoped
public class StatusPoller {

    private static final Logger LOG = Logger.getLogger(StatusPoller.class);
    private static final String SOURCE = "status-poller";
    /** Tasks whose changes are published at the same time; the Kafka producer batches their records. */
    private static final int PUBLISH_CONCURRENCY = 256;
    /** Instance queries (chunks of bid fids) in flight at once. */
    private static final int INSTANCE_QUERY_CONCURRENCY = 4;

    private final MithrilClient mithril;
    private final TaskRegistry registry;
    private final StateTopic stateTopic;
    private final EventPublisher publisher;
    private final PollerConfig config;
    private final Vertx vertx;
    private final MeterRegistry meters;
    private final Ownership ownership;
    private final Orphans orphans;

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicInteger consecutiveFailedCycles = new AtomicInteger();
    private final AtomicInteger lastCycleCalls = new AtomicInteger();
    private final Map<String, String> projectFids = new ConcurrentHashMap<>();
    /** Pages of each project's whole instance status history at its last reading (to choose per-bid calls). */
    private final Map<String, Integer> historyPages = new ConcurrentHashMap<>();
    private final DistributionSummary callsPerCycle;
    private final io.micrometer.core.instrument.Timer cycleTime;
    private volatile boolean stopped;
    private volatile long timerId = -1;
    private volatile Instant lastCycleStarted = Instant.EPOCH;

    public StatusPoller(MithrilClient mithril, TaskRegistry registry, StateTopic stateTopic, EventPublisher publisher,
                        PollerConfig config, Vertx vertx, MeterRegistry meters, Ownership ownership, Orphans orphans) {
        this.ownership = ownership;
        this.orphans = orphans;
        this.mithril = mithril;
        this.registry = registry;
        this.stateTopic = stateTopic;
        this.publisher = publisher;
        this.config = config;
        this.vertx = vertx;
        this.meters = meters;
        this.callsPerCycle = DistributionSummary.builder("flow.poller.mithril.calls")
                .description("Mithril HTTP calls per polling cycle").register(meters);
        this.cycleTime = io.micrometer.core.instrument.Timer.builder("flow.poller.cycle.duration")
                .description("Duration of a polling cycle (Mithril calls, derivation, publishing)").register(meters);
        meters.gauge("flow.poller.mithril.calls.last", lastCycleCalls);
        meters.gauge("flow.poller.failed.cycles.consecutive", consecutiveFailedCycles);
        meters.gauge("flow.poller.tasks.active", registry, TaskRegistry::activeCount);
    }

    void onStart(@Observes StartupEvent event) {
        if (config.autoStart()) {
            scheduleNext();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopped = true;
        long id = timerId;
        if (id >= 0) {
            vertx.cancelTimer(id);
        }
    }

    /**
     * Ticks at the short interval; a tick starts a cycle only when the interval that applies now
     * ({@link PollInterval}) has passed since the previous cycle ended. Deciding at every tick rather than once after
     * a cycle lets a task submitted during a steady pause be picked up at the next tick.
     */
    private void scheduleNext() {
        scheduleNext(config.interval().toMillis());
    }

    private void scheduleNext(long delayMillis) {
        if (stopped) {
            return;
        }
        timerId = vertx.setTimer(Math.max(1, delayMillis), id -> {
            Instant now = Instant.now();
            // fixed rate: a cycle is due one interval after the previous one STARTED, so the time from a change at
            // Mithril to its event is at most about one interval plus one cycle, whatever the cycle's length
            Instant due = lastCycleStarted.plus(currentInterval(now));
            if (now.isBefore(due)) {
                // re-decided at least every short interval: a new task during a steady pause is picked up soon
                scheduleNext(Math.min(config.interval().toMillis(), Duration.between(now, due).toMillis()));
                return;
            }
            lastCycleStarted = now;
            pollOnce().subscribe().with(
                    report -> scheduleAfterCycle(),
                    failure -> {
                        LOG.error("polling cycle failed", failure);
                        scheduleAfterCycle();
                    });
        });
    }

    /** The next cycle one interval after this one started; at once when this one took longer (never overlapping). */
    private void scheduleAfterCycle() {
        Instant now = Instant.now();
        long left = Duration.between(now, lastCycleStarted.plus(currentInterval(now))).toMillis();
        scheduleNext(Math.max(1, Math.min(config.interval().toMillis(), left)));
    }

    /** The pause that applies now between two cycles: short while a task is moving, else steady. */
    public Duration currentInterval(Instant now) {
        return PollInterval.choose(registry.active(), now, config.interval(), config.steadyInterval(),
                config.settleTime());
    }

    /** Consecutive cycles in which a Mithril call failed (readiness goes down past a threshold). */
    public int consecutiveFailedCycles() {
        return consecutiveFailedCycles.get();
    }

    /** Whether a cycle is running now (a rebalance waits for it to end). */
    public boolean isCycleRunning() {
        return running.get();
    }

    /**
     * One cycle over every project with active tasks of this replica (and the {@code orphan-projects}). Skipped when
     * a cycle is already running, or while the consumer group moves partitions between replicas.
     */
    public Uni<CycleReport> pollOnce() {
        return stateTopic.ready().chain(() -> {
            if (!running.compareAndSet(false, true)) {
                return Uni.createFrom().item(CycleReport.skippedCycle());
            }
            // after taking the flag: a rebalance sets its own flag first, then waits for this one
            if (ownership.isRebalancing()) {
                running.set(false);
                return Uni.createFrom().item(CycleReport.skippedCycle());
            }
            Cycle cycle = new Cycle(Instant.now());
            Map<String, List<TaskView>> byProject = new java.util.TreeMap<>(registry.activeByProject());
            config.orphanProjects().ifPresent(projects -> projects.forEach(p -> byProject.putIfAbsent(p, List.of())));
            return Multi.createFrom().iterable(byProject.entrySet())
                    .onItem().transformToUniAndConcatenate(e -> pollProject(e.getKey(), e.getValue(), cycle)
                            .onFailure().recoverWithItem(failure -> {
                                cycle.failed.set(true);
                                LOG.warnf("polling project %s failed, retried next cycle: %s", e.getKey(),
                                        describe(failure));
                                return 0;
                            }))
                    .collect().asList()
                    .call(() -> enforceMaxRunTime(cycle))
                    .call(() -> decidePreemptions(cycle))
                    .call(() -> stopOrphans(cycle))
                    .map(counts -> finish(cycle, byProject, counts.stream().mapToInt(Integer::intValue).sum()))
                    .eventually(() -> running.set(false));
        });
    }

    private CycleReport finish(Cycle cycle, Map<String, List<TaskView>> byProject, int transitions) {
        int calls = cycle.calls.get();
        boolean failed = cycle.failed.get();
        // readiness is about Mithril: a Kafka hiccup fails the cycle but is Kafka's health check's business
        if (cycle.mithrilFailed.get()) {
            consecutiveFailedCycles.incrementAndGet();
        } else {
            consecutiveFailedCycles.set(0);
        }
        lastCycleCalls.set(calls);
        callsPerCycle.record(calls);
        Duration took = Duration.between(cycle.startedAt, Instant.now());
        cycleTime.record(took);
        if (took.compareTo(config.interval()) > 0) {
            LOG.infof("slow cycle: %d ms (lists %d ms, history and prices %d ms, publishing %d ms; %d calls, %d "
                            + "transitions)", took.toMillis(), cycle.listMillis.get(), cycle.historyMillis.get(),
                    cycle.publishMillis.get(), calls, transitions);
        }
        Counter.builder("flow.poller.cycles").description("Polling cycles").tag("outcome", failed ? "failed" : "ok")
                .register(meters).increment();
        int tasks = byProject.values().stream().mapToInt(List::size).sum();
        return new CycleReport(byProject.size(), tasks, calls, transitions, failed, false);
    }

    /** Everything one cycle shares: its call count, its failure flag, the spot prices fetched at most once. */
    private final class Cycle {
        final Instant startedAt;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicBoolean failed = new AtomicBoolean();
        final AtomicBoolean mithrilFailed = new AtomicBoolean();
        /** Milliseconds spent per phase, summed over projects: why a slow cycle was slow. */
        final java.util.concurrent.atomic.AtomicLong listMillis = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong historyMillis = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong publishMillis = new java.util.concurrent.atomic.AtomicLong();
        private Uni<Map<String, Money>> prices;

        Cycle(Instant startedAt) {
            this.startedAt = startedAt;
        }

        <T> Uni<T> call(Uni<T> request) {
            return Uni.createFrom().deferred(() -> {
                calls.incrementAndGet();
                // after the client's own retries (429 with Retry-After, 5xx with backoff) gave up
                return request.onFailure().invoke(() -> mithrilFailed.set(true));
            });
        }

        /** Spot price per (instance type fid, region); one call per cycle, and only in cycles that publish. */
        synchronized Uni<Map<String, Money>> prices() {
            if (prices == null) {
                prices = call(mithril.spotAvailability()).map(list -> {
                    Map<String, Money> byKey = new HashMap<>();
                    for (Auction a : list) {
                        if (a.lastInstancePrice() != null) {
                            byKey.put(a.instanceType() + "@" + a.region(), a.lastInstancePrice());
                        }
                    }
                    return byKey;
                }).memoize().indefinitely();
            }
            return prices;
        }
    }

    /**
     * The project's bids and the instances of the bids already known (from BidPlaced) are listed at the same time;
     * only the bids found by name (a task whose BidPlaced has not arrived) need a second instance query.
     */
    private Uni<Integer> pollProject(String project, List<TaskView> tasks, Cycle cycle) {
        long listStart = System.nanoTime();
        return projectFid(project, cycle).chain(fid -> {
            List<String> knownFids = tasks.stream().map(TaskView::bidFid).filter(java.util.Objects::nonNull)
                    .distinct().toList();
            return Uni.combine().all().unis(listBids(fid, tasks, cycle), listInstances(fid, knownFids, cycle))
                    .asTuple().chain(both -> {
                        List<Bid> bids = both.getItem1();
                        orphans.observe(project, bids, Instant.now());
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
                        Set<String> listed = new HashSet<>(knownFids);
                        List<String> byNameOnly = matched.values().stream().map(Bid::fid).distinct()
                                .filter(f -> !listed.contains(f)).toList();
                        return listInstances(fid, byNameOnly, cycle).chain(more -> {
                            List<Instance> instances = new ArrayList<>(both.getItem2());
                            instances.addAll(more);
                            cycle.listMillis.addAndGet((System.nanoTime() - listStart) / 1_000_000);
                            return evaluate(fid, matched, instances, cycle);
                        });
                    });
        });
    }

    private Uni<Integer> evaluate(String projectFid, Map<TaskView, Bid> matched, List<Instance> instances, Cycle cycle) {
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
                case StatusDerivation.Observation.WaitForCause w -> registry.unexplainedTerminationSeen(task.taskId(), now);
                default -> {
                    // unchanged: nothing to publish
                }
            }
        }
        if (changes.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        // the history only for the changes it can tell something about, and by the cheaper way (see history())
        List<Change> needing = changes.stream().filter(StatusPoller::needsHistory).toList();
        Instant since = needing.stream().map(c -> c.task().at() == null ? cycle.startedAt : c.task().at())
                .min(Instant::compareTo).orElse(cycle.startedAt).minusSeconds(5);
        List<String> changedBids = needing.stream().map(c -> c.bid().fid()).distinct().toList();
        // the history and the prices at the same time
        long historyStart = System.nanoTime();
        return Uni.combine().all().unis(history(projectFid, changedBids, instances.size(), since, cycle),
                cycle.prices()).asTuple().chain(hp -> {
            long publishStart = System.nanoTime();
            cycle.historyMillis.addAndGet((publishStart - historyStart) / 1_000_000);
            // tasks in parallel (the producer batches their records), each task's transitions in order
            return Multi.createFrom().iterable(changes)
                    .onItem().transformToUni(c -> publish(c, hp.getItem1(), hp.getItem2(), now))
                    .merge(PUBLISH_CONCURRENCY)
                    .collect().asList()
                    .map(counts -> counts.stream().mapToInt(Integer::intValue).sum())
                    .invoke(() -> cycle.publishMillis.addAndGet((System.nanoTime() - publishStart) / 1_000_000));
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
        // for all of them, so a restart never reads a snapshot ahead of its published transitions
        return Uni.join().all(transitions.stream().map(publisher::statusChanged).toList()).andFailFast()
                .chain(() -> registry.commit(c.task(), transitions).map(publisher::snapshot)
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

    /**
     * Asks the submitter (the only Mithril writer) to stop every task that ran past its {@code max_run_time_hours},
     * once: the stop reason is remembered at once, and the command itself, on {@code flow.task.commands}, is read
     * back by this poller (and by a restart's replay). The task then ends {@code cancelled (MAX_RUNTIME)} when its
     * bid terminates. Needs no Mithril call, so it runs even when Mithril fails. A failed publish is retried next
     * cycle.
     */
    private Uni<Void> enforceMaxRunTime(Cycle cycle) {
        Instant now = Instant.now();
        return Multi.createFrom().iterable(registry.outOfTime(now))
                .onItem().transformToUniAndConcatenate(t -> publisher
                        .stop(new StopTask(t.taskId(), TransitionReason.MAX_RUNTIME, SOURCE, now))
                        .invoke(() -> {
                            registry.maxRunTimeStopSent(t.taskId());
                            LOG.infof("task %s ran longer than its max run time %s (running since %s): stop requested",
                                    t.taskId(), t.maxRunTime(), t.startedAt());
                        })
                        .onFailure().recoverWithItem(failure -> {
                            cycle.failed.set(true);
                            LOG.warnf("asking to stop task %s for MAX_RUNTIME failed, retried next cycle: %s",
                                    t.taskId(), describe(failure));
                            return null;
                        }))
                .collect().asList()
                .replaceWithVoid();
    }

    /**
     * Decides on the preemptions of tasks that opted into {@code retry.on_preemption}: once a preemption completed
     * (the task is pending/PREEMPTED: its instances are gone and its bid is back in the auction, not re-allocated),
     * one {@code ResubmitTask(PREEMPTED)} while restarts are below {@code max_restarts}; past it, one
     * {@code StopTask(PREEMPTED)}, and the task ends {@code cancelled / PREEMPTED} when the submitter cancelled the
     * bid. No Mithril call. The request is remembered at once (and read back from flow.task.commands after a
     * restart), so each preemption is answered once.
     */
    private Uni<Void> decidePreemptions(Cycle cycle) {
        Instant now = Instant.now();
        return Multi.createFrom().iterable(registry.awaitingResubmission())
                .onItem().transformToUniAndConcatenate(p -> {
                    boolean again = p.restartCount() < p.maxRestarts();
                    Uni<Void> send = again
                            ? publisher.resubmit(new ResubmitTask(p.taskId(), TransitionReason.PREEMPTED, now))
                            .invoke(() -> registry.resubmitRequested(
                                    new ResubmitTask(p.taskId(), TransitionReason.PREEMPTED, now)))
                            : publisher.stop(new StopTask(p.taskId(), TransitionReason.PREEMPTED, SOURCE, now))
                            .invoke(() -> registry.stopRequested(
                                    new StopTask(p.taskId(), TransitionReason.PREEMPTED, SOURCE, now)));
                    return send.invoke(() -> LOG.infof("task %s preempted (restart %d of at most %d): %s", p.taskId(),
                                    p.restartCount(), p.maxRestarts(), again ? "resubmission requested"
                                            : "no restart left, stop requested"))
                            .onFailure().recoverWithItem(failure -> {
                                cycle.failed.set(true);
                                LOG.warnf("deciding on the preemption of task %s failed, retried next cycle: %s",
                                        p.taskId(), describe(failure));
                                return null;
                            });
                })
                .collect().asList()
                .replaceWithVoid();
    }

    /** One {@code StopTask(ORPHAN)} per orphan bid past its grace period (see {@link Orphans}). */
    private Uni<Void> stopOrphans(Cycle cycle) {
        Instant now = Instant.now();
        return Multi.createFrom().iterable(orphans.due(now))
                .onItem().transformToUniAndConcatenate(o -> publisher
                        .stop(new StopTask(o.taskId(), TransitionReason.ORPHAN, SOURCE, now))
                        .invoke(() -> orphans.stopSent(o))
                        .onFailure().recoverWithItem(failure -> {
                            cycle.failed.set(true);
                            LOG.warnf("asking to stop orphan bid %s failed, retried next cycle: %s", o.bidName(),
                                    describe(failure));
                            return null;
                        }))
                .collect().asList()
                .replaceWithVoid();
    }

    // ------------------------------------------------------------------------------------------------ Mithril

    /** A project name (as events carry it) to its fid; cached, refreshed when a name is not known yet. */
    private Uni<String> projectFid(String project, Cycle cycle) {
        if (project.startsWith("proj_")) {
            return Uni.createFrom().item(project);
        }
        String known = projectFids.get(project);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return cycle.call(mithril.projects()).map(list -> {
            list.forEach(p -> projectFids.put(p.name(), p.fid()));
            return Optional.ofNullable(projectFids.get(project))
                    .orElseThrow(() -> new ResourceNotFoundError("Mithril project " + project + " is not visible"));
        });
    }

    /**
     * The project's bids, newest first, page by page only until every task's bid was seen: the terminated bids of
     * long-finished tasks pile up at the end of the list and are never paged through.
     */
    private Uni<List<Bid>> listBids(String projectFid, List<TaskView> tasks, Cycle cycle) {
        Set<String> wantedFids = new HashSet<>();
        Set<String> wantedNames = new HashSet<>();
        for (TaskView t : tasks) {
            if (t.bidFid() != null) {
                wantedFids.add(t.bidFid());
            } else {
                wantedNames.add(t.bidName());
            }
        }
        Predicate<List<Bid>> allFound = seen -> {
            Set<String> fids = new HashSet<>();
            Set<String> names = new HashSet<>();
            seen.forEach(b -> {
                fids.add(b.fid());
                names.add(b.name());
            });
            return fids.containsAll(wantedFids) && names.containsAll(wantedNames);
        };
        BidQuery query = BidQuery.inProject(projectFid).withSort("created_at", SortDirection.DESC)
                .withLimit(config.pageSize());
        return pages(query, q -> cycle.call(mithril.listBidsPage(q)), BidQuery::withNextCursor, allFound);
    }

    private Uni<List<Instance>> listInstances(String projectFid, List<String> bidFids, Cycle cycle) {
        if (bidFids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        int chunk = Math.max(1, config.bidFidsPerInstanceQuery());
        List<List<String>> chunks = new ArrayList<>();
        for (int k = 0; k < bidFids.size(); k += chunk) {
            chunks.add(bidFids.subList(k, Math.min(bidFids.size(), k + chunk)));
        }
        // independent queries: a few at once shorten the cycle without flooding Mithril
        return Multi.createFrom().iterable(chunks)
                .onItem().transformToUni(fids -> pages(
                        InstanceQuery.inProject(projectFid).withBidFidIn(fids).withLimit(config.pageSize()),
                        q -> cycle.call(mithril.listInstancesPage(q)), InstanceQuery::withNextCursor, all -> false))
                .merge(INSTANCE_QUERY_CONCURRENCY)
                .collect().asList()
                .map(lists -> lists.stream().flatMap(List::stream).toList());
    }

    /**
     * The status history of the changed bids' instances since {@code since}. Mithril filters the history by project
     * or by one bid, not by a set of bids, and pages the project's history over all its instances (also those of
     * long-ended tasks) whatever the time window: so a few changed bids are asked one call each ({@code bid_fid=},
     * a few at once), many changed bids the project's pages, whichever is fewer calls. The project's page count is
     * estimated from its last reading and the instances listed this cycle.
     */
    private Uni<Map<String, List<InstanceStatusHistory.Event>>> history(String projectFid, List<String> changedBids,
                                                                        int listedInstances, Instant since,
                                                                        Cycle cycle) {
        if (changedBids.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        int pageSize = config.pageSize();
        int projectPages = Math.max(historyPages.getOrDefault(projectFid, 1),
                (listedInstances + pageSize - 1) / pageSize);
        Uni<List<InstanceStatusHistory>> read;
        if (changedBids.size() < projectPages) {
            read = Multi.createFrom().iterable(changedBids)
                    .onItem().transformToUni(bid -> pages(
                            HistoryQuery.forBid(projectFid, bid).withWindow(since, null).withLimit(pageSize),
                            q -> cycle.call(mithril.instanceStatusHistoryPage(q)), HistoryQuery::withNextCursor,
                            all -> false))
                    .merge(INSTANCE_QUERY_CONCURRENCY)
                    .collect().asList()
                    .map(lists -> lists.stream().flatMap(List::stream).toList());
        } else {
            AtomicInteger pagesRead = new AtomicInteger();
            HistoryQuery query = HistoryQuery.forProject(projectFid).withWindow(since, null).withLimit(pageSize);
            read = pages(query, q -> {
                pagesRead.incrementAndGet();
                return cycle.call(mithril.instanceStatusHistoryPage(q));
            }, HistoryQuery::withNextCursor, all -> false)
                    .invoke(() -> historyPages.put(projectFid, pagesRead.get()));
        }
        return read
                .map(list -> {
                    Map<String, List<InstanceStatusHistory.Event>> byInstance = new HashMap<>();
                    for (InstanceStatusHistory h : list) {
                        byInstance.put(h.instanceFid(), h.events());
                    }
                    return byInstance;
                });
    }

    /** Follows {@code next_cursor} page by page, until the last page or {@code enough}; each page is one call. */
    private static <Q, T> Uni<List<T>> pages(Q query, Function<Q, Uni<Page<T>>> fetch, BiFunction<Q, String, Q> next,
                                            Predicate<List<T>> enough) {
        return fetchFrom(query, fetch, next, enough, new ArrayList<>());
    }

    private static <Q, T> Uni<List<T>> fetchFrom(Q query, Function<Q, Uni<Page<T>>> fetch, BiFunction<Q, String, Q> next,
                                                Predicate<List<T>> enough, List<T> all) {
        return fetch.apply(query).chain(page -> {
            all.addAll(page.data());
            return page.hasNext() && !enough.test(all)
                    ? fetchFrom(next.apply(query, page.nextCursor()), fetch, next, enough, all)
                    : Uni.createFrom().item(all);
        });
    }

    private static String describe(Throwable failure) {
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }
}
