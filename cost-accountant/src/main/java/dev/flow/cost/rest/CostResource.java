package dev.flow.cost.rest;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.flow.cost.domain.Accrual;
import dev.flow.cost.domain.CostInterval;
import dev.flow.cost.service.CostQueryService;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.money.Money;
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
    private final ProjectAccess access;
    private final Clock clock;

    public CostResource(CostQueryService costs, ProjectAccess access, Clock clock) {
        this.costs = costs;
        this.access = access;
        this.clock = clock;
    }

    @GET
    @Path("/tasks/{id}")
    public Uni<TaskCostResponse> task(@RestPath String id) {
        Instant now = clock.instant();
        return costs.task(id).map(ledger -> {
            if (ledger.project() == null) {
                throw new ResourceNotFoundError("task " + id + " not found");
            }
            access.requireVisible(ledger.project(), "task " + id);
            return taskView(ledger, now);
        });
    }

    @GET
    @Path("/projects/{project}")
    public Uni<ProjectCostResponse> project(@RestPath String project, @RestQuery String from, @RestQuery String to) {
        access.requireVisible(project, "project " + project);
        Instant now = clock.instant();
        Instant start = instant("from", from);
        Instant end = instant("to", to);
        if (start != null && end != null && !start.isBefore(end)) {
            throw ValidationError.of(FieldError.of("to", "must be after from"));
        }
        Instant windowStart = start == null ? Instant.EPOCH : start;
        Instant windowEnd = end == null ? now : end;
        Instant accrueUntil = windowEnd.isBefore(now) ? windowEnd : now;
        return costs.project(project, windowStart, windowEnd)
                .map(rows -> projectView(project, start, windowEnd, windowStart, accrueUntil, now, rows));
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
            views.add(new TaskCostResponse.IntervalView(interval.instanceFid, interval.node,
                    MoneyJson.display(price), price.toCents(), MoneyJson.exact(price),
                    interval.startedAt, interval.endedAt,
                    MoneyJson.display(cost), cost.cents(), MoneyJson.exact(cost)));
        }
        boolean running = ledger.intervals().stream().anyMatch(CostInterval::isOpen);
        return new TaskCostResponse(ledger.taskId(), ledger.project(), MoneyJson.CURRENCY, now, running,
                MoneyJson.display(perHour), perHour.toCents(), MoneyJson.exact(perHour),
                MoneyJson.display(total), total.cents(), MoneyJson.exact(total), views);
    }

    private static ProjectCostResponse projectView(String project, Instant from, Instant to, Instant windowStart,
                                                   Instant accrueUntil, Instant now, List<CostInterval> rows) {
        record Sum(Accrual total, Money perHour) {
        }
        Map<String, Sum> byTask = new LinkedHashMap<>();
        for (CostInterval interval : rows) {
            Accrual cost = interval.accruedWithin(windowStart, accrueUntil);
            Money rate = interval.isOpen() ? Money.of(interval.pricePerHour) : Money.ZERO;
            byTask.merge(interval.taskId, new Sum(cost, rate),
                    (a, b) -> new Sum(a.total().plus(b.total()), a.perHour().plus(b.perHour())));
        }
        Accrual total = Accrual.ZERO;
        Money perHour = Money.ZERO;
        List<ProjectCostResponse.TaskTotal> tasks = new ArrayList<>();
        for (Map.Entry<String, Sum> entry : byTask.entrySet()) {
            Sum sum = entry.getValue();
            total = total.plus(sum.total());
            perHour = perHour.plus(sum.perHour());
            tasks.add(new ProjectCostResponse.TaskTotal(entry.getKey(), sum.perHour().isPositive(),
                    MoneyJson.display(sum.perHour()), sum.perHour().toCents(),
                    MoneyJson.display(sum.total()), sum.total().cents(), MoneyJson.exact(sum.total())));
        }
        return new ProjectCostResponse(project, from, to, now, MoneyJson.CURRENCY,
                MoneyJson.display(perHour), perHour.toCents(), MoneyJson.exact(perHour),
                MoneyJson.display(total), total.cents(), MoneyJson.exact(total), tasks);
    }

    private static Instant instant(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ValidationError.of(new FieldError(field, "must be an ISO-8601 instant",
                    "e.g. 2026-01-02T03:04:05Z"));
        }
    }
}
