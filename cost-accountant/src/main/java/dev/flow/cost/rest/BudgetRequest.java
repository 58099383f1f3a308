package dev.flow.cost.rest;

import java.util.List;

import dev.flow.model.event.BudgetPeriod;
import dev.flow.model.money.Money;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * {@code POST /v1/budgets}: {@code {"project": "flow-dev", "period": "monthly", "limit": "$500.00",
 * "thresholds": [50, 80], "action": "stop_tasks"}}. The project defaults to the token's first; 100 % is always a
 * threshold; {@code action} absent = alert only.
 */
public record BudgetRequest(String project, @NotNull BudgetPeriod period, @NotNull Money limit,
                            @Size(max = 20) List<@NotNull @Min(1) @Max(1000) Integer> thresholds,
                            @Pattern(regexp = "stop_tasks", message = "must be stop_tasks or absent") String action) {
}
