package dev.flow.poller.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.flow.mithril.client.MithrilClient;
import dev.flow.model.event.ResubmitTask;
import dev.flow.model.event.StopTask;
import dev.flow.model.status.TransitionReason;
import dev.flow.poller.config.PollerConfig;
import dev.flow.poller.domain.TaskRegistry;
import dev.flow.poller.domain.TaskView;
import dev.flow.poller.messaging.EventPublisher;
import dev.flow.poller.messaging.Ownership;
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
 * The polling cycle: its timer, and the steps that run once per cycle. Per project with active tasks
 * ({@link ProjectPoller}) a cycle is a <b>delta</b> read, the project's instance status history since the last good
 * cycle and the bids and instances of the tasks it names or the lifecycle says are moving, or every
 * {@code flow.poller.sweep-every} cycles a <b>sweep</b> of the project's bid and instance lists
 * ({@link DeltaPolling}). Each cycle also asks the submitter to stop the tasks that ran past their
 * {@code max_run_time_hours}, decides on preemptions of tasks that opted into resubmission, and stops orphan bids.
 *
 * <p>Cycles never overlap: the next starts {@code flow.poller.interval} after the previous started, or
 * {@code flow.poller.steady-interval} when every task is steadily running or paused ({@link PollInterval}). A failing
 * project is logged and polled again next cycle; nothing is committed for it, so no transition is lost.
 */
@ApplicationScoped
public class StatusPoller {

    private static final Logger LOG = Logger.getLogger(StatusPoller.class);
    private static final String SOURCE = "status-poller";

    private final MithrilClient mithril;
    private final TaskRegistry registry;
    private final StateTopic stateTopic;
    private final EventPublisher publisher;
    private final PollerConfig config;
    private final Vertx vertx;
    private final MeterRegistry meters;
    private final Ownership ownership;
    private final Orphans orphans;
    private final ProjectPoller projects;
    private final DeltaPolling delta;

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicInteger consecutiveFailedCycles = new AtomicInteger();
    private final AtomicInteger lastCycleCalls = new AtomicInteger();
    private final DistributionSummary callsPerCycle;
    private final DistributionSummary callsPerSweepCycle;
    private final Counter sweeps;
    private final io.micrometer.core.instrument.Timer cycleTime;
    private volatile boolean stopped;
    private volatile long timerId = -1;
    private volatile Instant lastCycleStarted = Instant.EPOCH;

    public StatusPoller(MithrilClient mithril, TaskRegistry registry, StateTopic stateTopic, EventPublisher publisher,
                        PollerConfig config, Vertx vertx, MeterRegistry meters, Ownership ownership, Orphans orphans,
                        ProjectPoller projects, DeltaPolling delta) {
        this.projects = projects;
        this.delta = delta;
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
        this.callsPerSweepCycle = DistributionSummary.builder("flow.poller.sweep.mithril.calls")
                .description("Mithril HTTP calls per polling cycle that swept a project's full lists").register(meters);
        this.sweeps = Counter.builder("flow.poller.sweeps")
                .description("Full list sweeps of a project (the safety net between delta cycles)").register(meters);
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
            Cycle cycle = new Cycle(Instant.now(), mithril);
            boolean sweepAll = delta.takeSweepRequest();
            Map<String, List<TaskView>> byProject = new java.util.TreeMap<>(registry.activeByProject());
            config.orphanProjects().ifPresent(projects -> projects.forEach(p -> byProject.putIfAbsent(p, List.of())));
            return Multi.createFrom().iterable(byProject.entrySet())
                    .onItem().transformToUniAndConcatenate(e -> projects.poll(e.getKey(), e.getValue(), cycle, sweepAll)
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
        delta.retain(cycle.projectFids);
        int swept = cycle.sweeps.get();
        if (swept > 0) {
            sweeps.increment(swept);
            callsPerSweepCycle.record(calls);
        }
        Duration took = Duration.between(cycle.startedAt, Instant.now());
        cycleTime.record(took);
        if (took.compareTo(config.interval()) > 0) {
            LOG.infof("slow cycle: %d ms (lists %d ms, history and prices %d ms, publishing %d ms; %d calls, %d "
                            + "transitions, %d sweeps)", took.toMillis(), cycle.listMillis.get(),
                    cycle.historyMillis.get(), cycle.publishMillis.get(), calls, transitions, swept);
        }
        Counter.builder("flow.poller.cycles").description("Polling cycles").tag("outcome", failed ? "failed" : "ok")
                .register(meters).increment();
        int tasks = byProject.values().stream().mapToInt(List::size).sum();
        return new CycleReport(byProject.size(), tasks, calls, transitions, failed, false, swept);
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

    private static String describe(Throwable failure) {
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }
}
