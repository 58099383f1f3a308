package dev.flow.cost.rest;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * {@code GET /v1/costs/projects/{project}?from=&to=}: the project's cost within {@code [from, to)} (intervals clipped
 * to the window; running ones accrued to {@code min(to, as_of)}), in total and per task.
 *
 * @param from the window's start, null when unbounded
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ProjectCostResponse(String project, Instant from, Instant to, Instant asOf, String currency,
                                  String costPerHour, long costPerHourCents, String costPerHourExact,
                                  String totalCost, long totalCostCents, String totalCostExact,
                                  List<TaskTotal> tasks) {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TaskTotal(String taskId, boolean running, String costPerHour, long costPerHourCents,
                            String totalCost, long totalCostCents, String totalCostExact) {
    }
}
