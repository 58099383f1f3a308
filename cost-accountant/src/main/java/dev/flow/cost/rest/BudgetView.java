package dev.flow.cost.rest;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.cost.service.BudgetService.BudgetStatus;
import dev.flow.model.money.Money;

/**
 * A budget with its current period's spend (running tasks accrued to now), forecast (null for {@code total}) and the
 * thresholds crossed in it by each.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BudgetView(String id, String project, String period, String limit, long limitCents, String limitExact,
                         List<Integer> thresholds, Instant periodStart, String spent, long spentCents,
                         String spentExact, String forecast, String forecastExact, List<Integer> crossedThresholds,
                         List<Integer> crossedForecastThresholds, String action, String createdBy, Instant createdAt) {

    static BudgetView of(BudgetStatus status) {
        var budget = status.budget();
        Money limit = Money.of(budget.limitAmount);
        return new BudgetView(budget.id, budget.project, budget.period, MoneyJson.display(limit), limit.toCents(),
                MoneyJson.exact(limit), budget.thresholdList(), status.periodStart(),
                MoneyJson.display(status.spent()), status.spent().cents(), MoneyJson.exact(status.spent()),
                status.forecast() == null ? null : MoneyJson.display(status.forecast()),
                status.forecast() == null ? null : MoneyJson.exact(status.forecast()),
                status.crossed(), status.crossedForecast(), budget.action, budget.createdBy, budget.createdAt);
    }
}
