package dev.flow.cost.rest;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.flow.cost.domain.Accrual;
import dev.flow.cost.domain.Budget;
import dev.flow.cost.domain.CostGroups;
import dev.flow.cost.domain.CostGroups.GroupBy;
import dev.flow.cost.domain.CostInterval;
import dev.flow.cost.service.BudgetService;
import dev.flow.cost.service.CostQueryService;
import dev.flow.model.event.BudgetPeriod;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.money.Money;
import dev.flow.service.rest.PathIds;
import dev.flow.service.rest.QueryParams;
import dev.flow.service.security.ProjectAccess;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** Costs per task and per project, for the projects the caller's token names (others are not found). */
@Path("/v1/costs")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class CostResource {

    private final CostQueryService costs;
    private final BudgetService budgets;
    private final ProjectAccess access;
    private final Clock clock;

    public CostResource(CostQueryService costs, BudgetService budgets, ProjectAccess access, Clock clock) {
        this.costs = costs;
        this.budgets = budgets;
        this.access = access;
        this.clock = clock;
    }

    /**
     * The project's cumulative spend over a window as an SVG chart, with the limit of one of its budgets (the one of
     * {@code period}, else the monthly one, else any) as a dashed line. The window defaults to that budget's current
     * period up to now (the current UTC month for a {@code total} budget or none).
     */
    @GET
    @Path("/projects/{project}/chart.svg")
    @Produces(SpendChart.MEDIA_TYPE)
    public Uni<String> chart(@RestPath String project, @RestQuery String from, @RestQuery String to,
                             @RestQuery String period) {
        access.requireVisible(PathIds.require("project", project), "project " + project);
        BudgetPeriod wanted = period == null || period.isBlank() ? null : parsePeriod(period);
        Instant now = clock.instant();
        Instant start = instant("from", from);
        Instant end = instant("to", to);
        if (start != null && end != null && !start.isBefore(end)) {
            throw ValidationError.of(FieldError.of("to", "must be after from"));
        }
        return budgets.list(List.of(project)).flatMap(all -> {
            Budget budget = all.stream().filter(b -> wanted != null ? b.periodKind() == wanted
                            : b.periodKind() == BudgetPeriod.MONTHLY).findFirst()
                    .orElse(wanted == null && !all.isEmpty() ? all.getFirst() : null);
            BudgetPeriod windowPeriod = budget == null || budget.periodKind() == BudgetPeriod.TOTAL
                    ? BudgetPeriod.MONTHLY : budget.periodKind();
            Instant windowStart = start != null ? start : Budget.periodStart(windowPeriod, now);
            Instant windowEnd = end != null ? end : now;
            if (!windowStart.isBefore(windowEnd)) {
                throw ValidationError.of(FieldError.of("to", "must be after from"));
            }
            SpendChart.BudgetLine line = budget == null ? null : new SpendChart.BudgetLine(budget.limitAmount,
                    budget.period + " budget " + Money.of(budget.limitAmount));
            return costs.project(project, windowStart, windowEnd).map(rows -> SpendChart.draw(project, windowStart,
                    windowEnd, now, rows, line));
        });
    }

    private static BudgetPeriod parsePeriod(String text) {
        for (BudgetPeriod p : BudgetPeriod.values()) {
            if (p.name().equalsIgnoreCase(text)) {
                return p;
            }
        }
        throw ValidationError.of(new FieldError("period", "must be daily, weekly, monthly or total",
                "e.g. period=monthly"));
    }

    @GET
    @Path("/tasks/{id}")
    public Uni<TaskCostResponse> task(@RestPath String id) {
        Instant now = clock.instant();
        return costs.task(PathIds.require("task", id)).map(ledger -> {
            if (ledger.project() == null) {
                throw new ResourceNotFoundError("task " + id + " not found");
            }
            access.requireVisible(ledger.project(), "task " + id);
            return taskView(ledger, now);
        });
    }

    @GET
    @Path("/projects/{project}")
    public Uni<ProjectCostResponse> project(@RestPath String project, @RestQuery String from, @RestQuery String to,
                                            @RestQuery("group_by") String groupBy) {
        return projectCost(project, from, to, groupBy(groupBy, null));
    }

    /** The same as CSV, one row per group ({@code group_by} defaults to {@code task}); {@code Accept: text/csv}. */
    @GET
    @Path("/projects/{project}")
    @Produces(CostCsv.MEDIA_TYPE)
    public Uni<String> projectCsv(@RestPath String project, @RestQuery String from, @RestQuery String to,
                                  @RestQuery("group_by") String groupBy) {
        return projectCost(project, from, to, groupBy(groupBy, GroupBy.TASK)).map(CostCsv::write);
    }

    /** The CSV for links and browsers that do not set {@code Accept}. */
    @GET
    @Path("/projects/{project}.csv")
    @Produces(CostCsv.MEDIA_TYPE)
    public Uni<String> projectCsvFile(@RestPath String project, @RestQuery String from, @RestQuery String to,
                                      @RestQuery("group_by") String groupBy) {
        return projectCsv(project, from, to, groupBy);
    }

    private Uni<ProjectCostResponse> projectCost(String project, String from, String to, GroupBy groupBy) {
        access.requireVisible(PathIds.require("project", project), "project " + project);
        Instant now = clock.instant();
        Instant start = instant("from", from);
        Instant end = instant("to", to);
        if (start != null && end != null && !start.isBefore(end)) {
            throw ValidationError.of(FieldError.of("to", "must be after from"));
        }
        Instant windowStart = start == null ? Instant.EPOCH : start;
        Instant windowEnd = end == null ? now : end;
        return costs.project(project, windowStart, windowEnd)
                .map(rows -> projectView(project, start, windowEnd, windowStart, now, rows, groupBy));
    }

    private static GroupBy groupBy(String text, GroupBy otherwise) {
        if (text == null || text.isBlank()) {
            return otherwise;
        }
        GroupBy parsed = GroupBy.parse(text);
        if (parsed == null) {
            throw ValidationError.of(new FieldError("group_by", "must be day, instance_type or task",
                    "e.g. group_by=day"));
        }
        return parsed;
    }

    private static TaskCostResponse taskView(CostQueryService.TaskLedger ledger, Instant now) {
        Accrual total = Accrual.ZERO;
        Money perHour = Money.ZERO;
        List<TaskCostResponse.IntervalView> views = new ArrayList<>();
        for (CostInterval interval : ledger.intervals()) {
            Accrual cost = interval.accruedUntil(now);
            total = total.plus(cost);
            Money price = Money.of(interval.pricePerHour);
            if (interval.isOpen()) {
                perHour = perHour.plus(price);
            }
            views.add(new TaskCostResponse.IntervalView(interval.instanceFid, interval.node, interval.source,
                    MoneyJson.display(price), price.toCents(), MoneyJson.exact(price),
                    interval.startedAt, interval.endedAt,
                    MoneyJson.display(cost), cost.cents(), MoneyJson.exact(cost)));
        }
        boolean running = ledger.intervals().stream().anyMatch(CostInterval::isOpen);
        Accrual estimated = ledger.statusIntervals().stream().map(i -> i.accruedUntil(now))
                .reduce(Accrual.ZERO, Accrual::plus);
        Accrual difference = total.minus(estimated);
        List<TaskCostResponse.ReconciliationView> reconciliations = ledger.reconciliations().stream()
                .map(r -> {
                    Accrual diff = r.reconciled == null ? null : new Accrual(r.reconciled.subtract(r.estimated));
                    return new TaskCostResponse.ReconciliationView(r.instanceFid,
                            r.status.toLowerCase(java.util.Locale.ROOT), MoneyJson.exact(new Accrual(r.estimated)),
                            r.reconciled == null ? null : MoneyJson.exact(new Accrual(r.reconciled)),
                            diff == null ? null : MoneyJson.exact(diff), diff == null ? null : diff.cents(),
                            r.checkedAt);
                }).toList();
        return new TaskCostResponse(ledger.taskId(), ledger.project(), MoneyJson.CURRENCY, now, running,
                MoneyJson.display(perHour), perHour.toCents(), MoneyJson.exact(perHour),
                MoneyJson.display(total), total.cents(), MoneyJson.exact(total),
                MoneyJson.display(estimated), estimated.cents(), MoneyJson.exact(estimated),
                MoneyJson.display(difference), difference.cents(), MoneyJson.exact(difference),
                views, reconciliations);
    }

    private static ProjectCostResponse projectView(String project, Instant from, Instant to, Instant windowStart,
                                                   Instant now, List<CostInterval> rows, GroupBy groupBy) {
        record Sum(Accrual total, Money perHour) {
        }
        Map<String, Sum> byTask = new LinkedHashMap<>();
        Accrual storage = Accrual.ZERO;
        Money perHour = Money.ZERO;
        List<ProjectCostResponse.VolumeTotal> volumes = new ArrayList<>();
        for (CostInterval interval : rows) {
            Accrual cost = interval.accruedWithin(windowStart, to, now);
            Money rate = interval.isOpen() ? Money.of(interval.pricePerHour) : Money.ZERO;
            if (CostInterval.VOLUME.equals(interval.source)) {
                storage = storage.plus(cost);
                perHour = perHour.plus(rate);
                volumes.add(new ProjectCostResponse.VolumeTotal(interval.instanceFid, interval.startedAt,
                        interval.endedAt, MoneyJson.exact(Money.of(interval.pricePerHour
                                .setScale(Accrual.EXACT_SCALE, java.math.RoundingMode.HALF_EVEN))), MoneyJson.display(cost), cost.cents(), MoneyJson.exact(cost)));
                continue;
            }
            byTask.merge(interval.taskId, new Sum(cost, rate),
                    (a, b) -> new Sum(a.total().plus(b.total()), a.perHour().plus(b.perHour())));
        }
        Accrual compute = Accrual.ZERO;
        List<ProjectCostResponse.TaskTotal> tasks = new ArrayList<>();
        for (Map.Entry<String, Sum> entry : byTask.entrySet()) {
            Sum sum = entry.getValue();
            compute = compute.plus(sum.total());
            perHour = perHour.plus(sum.perHour());
            tasks.add(new ProjectCostResponse.TaskTotal(entry.getKey(), sum.perHour().isPositive(),
                    MoneyJson.display(sum.perHour()), sum.perHour().toCents(),
                    MoneyJson.display(sum.total()), sum.total().cents(), MoneyJson.exact(sum.total())));
        }
        Accrual total = compute.plus(storage);
        return new ProjectCostResponse(project, from, to, now, MoneyJson.CURRENCY,
                MoneyJson.display(perHour), perHour.toCents(), MoneyJson.exact(perHour),
                MoneyJson.display(total), total.cents(), MoneyJson.exact(total),
                MoneyJson.display(compute), compute.cents(), MoneyJson.exact(compute),
                MoneyJson.display(storage), storage.cents(), MoneyJson.exact(storage),
                tasks, volumes,
                groupBy == null ? null : groupBy.json(),
                groupBy == null ? null : CostGroups.group(rows, groupBy, windowStart, to, now).entrySet().stream()
                        .map(g -> new ProjectCostResponse.GroupTotal(g.getKey(), MoneyJson.display(g.getValue()),
                                g.getValue().cents(), MoneyJson.exact(g.getValue())))
                        .toList());
    }

    /** An ISO-8601 instant within the range a ledger query can hold (service-support's {@code QueryParams}). */
    private static Instant instant(String field, String text) {
        List<FieldError> errors = new ArrayList<>();
        Instant value = QueryParams.instant(field, text, errors);
        QueryParams.check(errors);
        return value;
    }
}
