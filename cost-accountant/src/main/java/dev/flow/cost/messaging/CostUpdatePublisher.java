package dev.flow.cost.messaging;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

import dev.flow.cost.domain.Accrual;
import dev.flow.cost.domain.Budget;
import dev.flow.cost.domain.CostInterval;
import dev.flow.cost.metrics.CostMetrics;
import dev.flow.model.event.BudgetPeriod;
import dev.flow.model.event.ProjectCostUpdated;
import dev.flow.cost.service.CostQueryService;
import dev.flow.model.event.TaskCostUpdated;
import dev.flow.model.money.Money;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.tracing.TaskTraces;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * Publishes {@link TaskCostUpdated} on {@code flow.cost.updates} for every running task, and {@link ProjectCostUpdated}
 * for every project with costs this month, at the configured cadence
 * ({@code flow.cost.updates-every}); and a task's {@link TaskCostUpdated} at once whenever its total moves otherwise:
 * a status event changed its intervals (it started, changed price, was preempted or ended) or an instance of it was
 * reconciled with Mithril ({@link #publishTasks}). So a task that has ended gets its final figure, which no timer
 * would send (it has no running interval any more).
 * The event is a derived view (cost so far as of {@code at}), recomputed from the
 * ledger each time, so a lost or repeated update is harmless: the next one supersedes it.
 */
@ApplicationScoped
public class CostUpdatePublisher {

    static final String SOURCE = "/flow/cost-accountant";
    /** Tasks read in one statement when publishing their costs. */
    private static final int READ_CHUNK = 1000;
    private static final Logger LOG = Logger.getLogger(CostUpdatePublisher.class);

    private final CostQueryService costs;
    private final MutinyEmitter<byte[]> emitter;
    private final Clock clock;
    private final CostMetrics metrics;
    private final TaskTraces traces;

    public CostUpdatePublisher(CostQueryService costs, @Channel("cost-updates") MutinyEmitter<byte[]> emitter,
                               Clock clock, CostMetrics metrics, TaskTraces traces) {
        this.traces = traces;
        this.costs = costs;
        this.emitter = emitter;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Scheduled(every = "${flow.cost.updates-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> publish() {
        return publishRunning().flatMap(ignored -> publishProjects());
    }

    /**
     * {@link ProjectCostUpdated} for every project with a running instance or a cost in the current UTC month:
     * its spend since the month's start (exact, running intervals accrued to now) and its burn rate. Also refreshes
     * the project gauges.
     */
    Uni<Void> publishProjects() {
        Instant now = clock.instant();
        Instant monthStart = Budget.periodStart(BudgetPeriod.MONTHLY, now);
        return costs.projectsActiveSince(monthStart)
                .flatMap(projects -> Multi.createFrom().iterable(projects)
                        .onItem().transformToUniAndConcatenate(project -> costs.project(project, monthStart, now)
                                .map(lines -> projectUpdate(project, monthStart, lines, now)))
                        .onItem().transformToUniAndConcatenate(update -> emitter.sendMessage(
                                CloudEventRecords.toMessage(update, SOURCE)))
                        .collect().last())
                .onFailure().invoke(e -> LOG.warnf("publishing project cost updates failed: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private ProjectCostUpdated projectUpdate(String project, Instant monthStart, List<CostInterval> lines, Instant now) {
        Accrual total = Accrual.ZERO;
        Money perHour = Money.ZERO;
        for (CostInterval line : lines) {
            total = total.plus(line.accruedWithin(monthStart, now));
            if (line.isOpen()) {
                perHour = perHour.plus(Money.of(line.pricePerHour));
            }
        }
        metrics.project(project, total, perHour.amount());
        return new ProjectCostUpdated(project, monthStart, total.exact(), perHour, now);
    }

    Uni<Void> publishRunning() {
        return costs.running()
                .flatMap(open -> publishTasks(open.stream().map(i -> i.taskId).distinct().toList()))
                .onFailure().invoke(e -> LOG.warnf("publishing cost updates failed: %s", e.toString()))
                .onFailure().recoverWithNull();
    }

    /**
     * A {@link TaskCostUpdated} for each of these tasks now, from the ledger as committed. A failure is logged, not
     * raised: the caller's work (the ledger write) is done, and the next change or timer publishes again.
     */
    public Uni<Void> publishTasks(Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return totals(List.copyOf(taskIds), clock.instant())
                .flatMap(updates -> Multi.createFrom().iterable(updates)
                        .onItem().transformToUniAndConcatenate(
                                update -> emitter.sendMessage(traces.continueTrace(update.taskId(),
                                        CloudEventRecords.toMessage(update, SOURCE))))
                        .collect().last())
                .onFailure().invoke(e -> LOG.warnf("publishing the cost of %s failed: %s", taskIds, e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** The cost so far of each task, over all its intervals (closed ones too). */
    private Uni<List<TaskCostUpdated>> totals(List<String> taskIds, Instant now) {
        // a few reads for many tasks (after a batch of status events this runs for every task the batch changed),
        // in chunks that keep each statement's parameter list short
        List<List<String>> chunks = new java.util.ArrayList<>();
        for (int from = 0; from < taskIds.size(); from += READ_CHUNK) {
            chunks.add(taskIds.subList(from, Math.min(taskIds.size(), from + READ_CHUNK)));
        }
        return Multi.createFrom().iterable(chunks)
                .onItem().transformToUniAndConcatenate(costs::tasks)
                .onItem().transformToIterable(ledgers -> ledgers)
                .map(ledger -> update(ledger.taskId(), ledger.project(), ledger.intervals(), now))
                .collect().asList();
    }

    static TaskCostUpdated update(String taskId, String project, List<CostInterval> rows, Instant now) {
        Accrual total = Accrual.ZERO;
        Money perHour = Money.ZERO;
        for (CostInterval interval : rows) {
            total = total.plus(interval.accruedUntil(now));
            if (interval.isOpen()) {
                perHour = perHour.plus(Money.of(interval.pricePerHour));
            }
        }
        return new TaskCostUpdated(taskId, project, perHour, total.exact(), now);
    }
}
