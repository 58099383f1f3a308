package dev.flow.cost.service;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.flow.cost.domain.Accrual;
import dev.flow.cost.domain.Budget;
import dev.flow.cost.domain.BudgetAlert;
import dev.flow.cost.domain.CostInterval;
import dev.flow.cost.repository.BudgetAlertRepository;
import dev.flow.cost.repository.BudgetRepository;
import dev.flow.cost.repository.CostIntervalRepository;
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

    /** A budget with what was spent in its current period and the thresholds already crossed in it. */
    public record BudgetStatus(Budget budget, Instant periodStart, Accrual spent, List<Integer> crossed) {
    }

    /** An alert still to publish, with its budget. */
    public record PendingAlert(BudgetAlert alert, Budget budget) {
    }

    private final BudgetRepository budgets;
    private final BudgetAlertRepository alerts;
    private final CostIntervalRepository intervals;

    public BudgetService(BudgetRepository budgets, BudgetAlertRepository alerts, CostIntervalRepository intervals) {
        this.budgets = budgets;
        this.alerts = alerts;
        this.intervals = intervals;
    }

    /** Creates the project's budget for the period, or replaces its limit and thresholds. */
    @WithTransaction
    public Uni<Budget> put(String project, BudgetPeriod period, BigDecimal limit, List<Integer> thresholds,
                           String caller, Instant now) {
        List<Integer> percents = new ArrayList<>(thresholds);
        percents.add(100);
        return budgets.ofProjectAndPeriod(project, period.json()).flatMap(existing -> {
            Budget budget = existing != null ? existing : new Budget();
            if (existing == null) {
                budget.id = "bud_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
                budget.project = project;
                budget.period = period.json();
                budget.createdAt = now;
            }
            budget.limitAmount = limit;
            budget.thresholds = Budget.thresholdsText(percents);
            budget.createdBy = caller;
            return existing != null ? Uni.createFrom().item(budget) : budgets.persist(budget);
        });
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
        return intervals.ofProjectBetween(budget.project, start, now).flatMap(rows -> {
            Accrual spent = Accrual.ZERO;
            for (CostInterval interval : rows) {
                spent = spent.plus(interval.accruedWithin(start, now));
            }
            Accrual total = spent;
            return alerts.ofPeriod(budget.id, start).map(crossed -> new BudgetStatus(budget, start, total,
                    crossed.stream().map(a -> a.threshold).toList()));
        });
    }

    /** Records every threshold crossed since the last check (once per budget, period and threshold). */
    @WithTransaction
    public Uni<List<BudgetAlert>> detectCrossings(Instant now) {
        return budgets.everyBudget()
                .flatMap(all -> Multi.createFrom().iterable(all)
                        .onItem().transformToUniAndConcatenate(budget -> statusOf(budget, now)
                                .flatMap(status -> record(status, now)))
                        .collect().asList())
                .map(lists -> lists.stream().flatMap(List::stream).toList());
    }

    private Uni<List<BudgetAlert>> record(BudgetStatus status, Instant now) {
        Budget budget = status.budget();
        BigDecimal spent = status.spent().dollars(Accrual.EXACT_SCALE);
        Set<Integer> done = Set.copyOf(status.crossed());
        List<BudgetAlert> fresh = budget.thresholdList().stream()
                .filter(percent -> !done.contains(percent))
                .filter(percent -> spent.compareTo(budget.thresholdAmount(percent)) >= 0)
                .map(percent -> {
                    BudgetAlert alert = new BudgetAlert();
                    alert.id = BudgetAlert.idOf(budget.id, status.periodStart(), percent);
                    alert.budgetId = budget.id;
                    alert.project = budget.project;
                    alert.periodStart = status.periodStart();
                    alert.threshold = percent;
                    alert.spent = spent;
                    alert.crossedAt = now;
                    return alert;
                }).toList();
        if (fresh.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        LOG.infof("budget %s of %s: spent $%s crossed %s%% of $%s", budget.id, budget.project, spent.toPlainString(),
                fresh.stream().map(a -> String.valueOf(a.threshold)).collect(Collectors.joining(", ")),
                budget.limitAmount.toPlainString());
        return alerts.persist(fresh).replaceWith(fresh);
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
