package dev.flow.cost.service;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.flow.cost.domain.Accrual;
import dev.flow.cost.domain.Budget;
import dev.flow.cost.domain.BudgetAlert;
import dev.flow.cost.domain.BudgetStop;
import dev.flow.cost.domain.CostInterval;
import dev.flow.cost.repository.BudgetAlertRepository;
import dev.flow.cost.repository.BudgetRepository;
import dev.flow.cost.repository.BudgetStopRepository;
import dev.flow.cost.metrics.CostMetrics;
import dev.flow.model.event.AlertKind;
import dev.flow.model.event.BudgetPeriod;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Budgets: a limit per project and period with alert thresholds (percent of the limit; 100 always included).
 * Crossings are decided once per (budget, period, threshold) by a unique row, and published from that row.
 */
@ApplicationScoped
public class BudgetService {

    private static final Logger LOG = Logger.getLogger(BudgetService.class);

    /**
     * A budget in its current period: what was spent (running intervals accrued to now), the forecast (spent + the
     * current burn rate until the period's end; null for {@code total} budgets, which have no end), the project's
     * running tasks, and the thresholds already crossed by actual spend and by forecast.
     */
    public record BudgetStatus(Budget budget, Instant periodStart, Accrual spent, Accrual forecast,
                               Set<String> runningTasks, List<Integer> crossed, List<Integer> crossedForecast) {
    }

    /** An alert still to publish, with its budget. */
    public record PendingAlert(BudgetAlert alert, Budget budget) {
    }

    private final BudgetRepository budgets;
    private final BudgetAlertRepository alerts;
    private final CostLines lines;
    private final BudgetStopRepository stops;
    private final CostMetrics metrics;

    public BudgetService(BudgetRepository budgets, BudgetAlertRepository alerts, CostLines lines,
                         BudgetStopRepository stops, CostMetrics metrics) {
        this.budgets = budgets;
        this.alerts = alerts;
        this.lines = lines;
        this.stops = stops;
        this.metrics = metrics;
    }

    /** Creates the project's budget for the period, or replaces its limit and thresholds. */
    @WithTransaction
    public Uni<Budget> put(String project, BudgetPeriod period, BigDecimal limit, List<Integer> thresholds,
                           String action, String caller, Instant now) {
        List<Integer> percents = new ArrayList<>(thresholds);
        percents.add(100);
        return budgets.ofProjectAndPeriodLocked(project, period.json()).flatMap(existing -> {
            Budget budget = existing != null ? existing : new Budget();
            if (existing == null) {
                budget.id = "bud_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
                budget.project = project;
                budget.period = period.json();
                budget.createdAt = now;
            }
            budget.limitAmount = limit;
            budget.thresholds = Budget.thresholdsText(percents);
            budget.action = action;
            budget.createdBy = caller;
            return existing != null ? rearm(budget, now).replaceWith(budget) : budgets.persist(budget);
        });
    }

    /**
     * Back to OK for every threshold of the current period that the (new) limit puts out of reach again: a raised
     * budget can alert again when spend or forecast reaches the threshold. Stops already decided stay decided.
     */
    private Uni<Void> rearm(Budget budget, Instant now) {
        return statusOf(budget, now).flatMap(status -> alerts.ofPeriod(budget.id, status.periodStart())
                .flatMap(rows -> {
                    List<String> ids = rows.stream().filter(row -> !reaches(budget, row.threshold,
                                    AlertKind.FORECAST.json().equals(row.kind) ? status.forecast() : status.spent()))
                            .map(row -> row.id).toList();
                    if (ids.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    LOG.infof("budget %s of %s: limit now $%s, re-armed %s", budget.id, budget.project,
                            budget.limitAmount.toPlainString(), ids);
                    return alerts.delete("id in ?1", ids).replaceWithVoid();
                }));
    }

    private static boolean reaches(Budget budget, int percent, Accrual amount) {
        return amount != null && amount.dollars(Accrual.EXACT_SCALE).compareTo(budget.thresholdAmount(percent)) >= 0;
    }

    @WithSession
    public Uni<List<Budget>> list(Collection<String> projects) {
        return budgets.ofProjects(projects);
    }

    @WithSession
    public Uni<Budget> find(String id) {
        return budgets.findById(id);
    }

    @WithTransaction
    public Uni<Boolean> delete(String id) {
        return budgets.deleteById(id);
    }

    @WithSession
    public Uni<BudgetStatus> status(Budget budget, Instant now) {
        return statusOf(budget, now);
    }

    @WithSession
    public Uni<List<BudgetStatus>> statuses(List<Budget> list, Instant now) {
        return Multi.createFrom().iterable(list).onItem().transformToUniAndConcatenate(b -> statusOf(b, now))
                .collect().asList();
    }

    private Uni<BudgetStatus> statusOf(Budget budget, Instant now) {
        Instant start = Budget.periodStart(budget.periodKind(), now);
        Instant end = Budget.periodEnd(budget.periodKind(), start);
        return lines.ofProjectBetween(budget.project, start, now).flatMap(rows -> {
            Accrual spent = Accrual.ZERO;
            // the burn rate (sum of the open intervals' prices) run until the period's end: a linear projection
            Accrual ahead = Accrual.ZERO;
            Set<String> running = new TreeSet<>();
            for (CostInterval interval : rows) {
                spent = spent.plus(interval.accruedWithin(start, now));
                if (interval.isOpen()) {
                    running.add(interval.taskId);
                    if (end != null) {
                        ahead = ahead.plus(Accrual.of(interval.pricePerHour, now, end));
                    }
                }
            }
            Accrual total = spent;
            Accrual forecast = end == null ? null : spent.plus(ahead);
            return alerts.ofPeriod(budget.id, start).map(crossed -> new BudgetStatus(budget, start, total, forecast,
                    running,
                    crossed.stream().filter(a -> AlertKind.ACTUAL.json().equals(a.kind)).map(a -> a.threshold).toList(),
                    crossed.stream().filter(a -> AlertKind.FORECAST.json().equals(a.kind)).map(a -> a.threshold)
                            .toList()));
        });
    }

    /** Records every threshold crossed since the last check (once per budget, period and threshold). */
    @WithTransaction
    public Uni<List<BudgetAlert>> detectCrossings(Instant now) {
        return budgets.everyBudgetLocked()
                .flatMap(all -> Multi.createFrom().iterable(all)
                        .onItem().transformToUniAndConcatenate(budget -> statusOf(budget, now)
                                .invoke(status -> metrics.budget(budget.id, budget.project, budget.period,
                                        status.spent(), budget.limitAmount))
                                .flatMap(status -> record(status, now)))
                        .collect().asList())
                .map(lists -> lists.stream().flatMap(List::stream).toList());
    }

    private Uni<List<BudgetAlert>> record(BudgetStatus status, Instant now) {
        Budget budget = status.budget();
        List<BudgetAlert> fresh = new ArrayList<>(fresh(status, AlertKind.ACTUAL, status.spent(), status.crossed(), now));
        fresh.addAll(fresh(status, AlertKind.FORECAST, status.forecast(), status.crossedForecast(), now));
        Uni<Void> stored = Uni.createFrom().voidItem();
        if (!fresh.isEmpty()) {
            LOG.infof("budget %s of %s: crossed %s of $%s (spent $%s, forecast %s)", budget.id, budget.project,
                    fresh.stream().map(a -> a.threshold + "% " + a.kind).collect(Collectors.joining(", ")),
                    budget.limitAmount.toPlainString(), status.spent().dollars(Accrual.EXACT_SCALE).toPlainString(),
                    status.forecast() == null ? "-" : "$" + status.forecast().dollars(Accrual.EXACT_SCALE));
            stored = alerts.persist(fresh);
        }
        return stored.flatMap(ignored -> decideStops(status, now)).replaceWith(fresh);
    }

    /** The thresholds {@code amount} reaches that are not yet crossed for {@code kind} in this period. */
    private static List<BudgetAlert> fresh(BudgetStatus status, AlertKind kind, Accrual amount, List<Integer> crossed,
                                           Instant now) {
        if (amount == null) {
            return List.of();
        }
        Budget budget = status.budget();
        Set<Integer> done = Set.copyOf(crossed);
        return budget.thresholdList().stream()
                .filter(percent -> !done.contains(percent))
                .filter(percent -> reaches(budget, percent, amount))
                .map(percent -> {
                    BudgetAlert alert = new BudgetAlert();
                    alert.id = BudgetAlert.idOf(budget.id, status.periodStart(), kind.json(), percent, now);
                    alert.budgetId = budget.id;
                    alert.project = budget.project;
                    alert.periodStart = status.periodStart();
                    alert.threshold = percent;
                    alert.kind = kind.json();
                    alert.spent = status.spent().dollars(Accrual.EXACT_SCALE);
                    alert.forecast = status.forecast() == null ? null
                            : status.forecast().dollars(Accrual.EXACT_SCALE);
                    alert.crossedAt = now;
                    return alert;
                }).toList();
    }

    /**
     * Enforcement: while a {@code stop_tasks} budget's actual spend is at 100 % or more, every running task of the
     * project gets one StopTask per period (a task that starts after exhaustion is stopped at the next check).
     */
    private Uni<Void> decideStops(BudgetStatus status, Instant now) {
        Budget budget = status.budget();
        if (!budget.stopsTasks() || status.runningTasks().isEmpty() || !reaches(budget, 100, status.spent())) {
            return Uni.createFrom().voidItem();
        }
        return stops.ofPeriod(budget.id, status.periodStart()).flatMap(decided -> {
            Set<String> done = decided.stream().map(stop -> stop.taskId).collect(Collectors.toSet());
            List<BudgetStop> fresh = status.runningTasks().stream().filter(task -> !done.contains(task))
                    .map(task -> {
                        BudgetStop stop = new BudgetStop();
                        stop.id = BudgetStop.idOf(budget.id, status.periodStart(), task);
                        stop.budgetId = budget.id;
                        stop.project = budget.project;
                        stop.periodStart = status.periodStart();
                        stop.taskId = task;
                        stop.decidedAt = now;
                        return stop;
                    }).toList();
            if (fresh.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            LOG.infof("budget %s of %s exhausted: stopping %s", budget.id, budget.project,
                    fresh.stream().map(stop -> stop.taskId).toList());
            return stops.persist(fresh);
        });
    }

    @WithSession
    public Uni<List<BudgetStop>> unpublishedStops() {
        return stops.unpublished();
    }

    @WithTransaction
    public Uni<Void> markStopPublished(String stopId, Instant at) {
        return stops.update("publishedAt = ?1 where id = ?2", at, stopId).replaceWithVoid();
    }

    @WithSession
    public Uni<List<PendingAlert>> unpublished() {
        return alerts.unpublished().flatMap(pending -> Multi.createFrom().iterable(pending)
                .onItem().transformToUniAndConcatenate(alert -> budgets.findById(alert.budgetId)
                        .map(budget -> budget == null ? null : new PendingAlert(alert, budget)))
                .collect().asList()
                .map(list -> list.stream().filter(p -> p != null).toList()));
    }

    @WithTransaction
    public Uni<Void> markPublished(String alertId, Instant at) {
        return alerts.update("publishedAt = ?1 where id = ?2", at, alertId).replaceWithVoid();
    }
}
