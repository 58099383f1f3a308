package dev.flow.cost.rest;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * {@code GET /v1/costs/tasks/{id}}: what a task has cost so far. A running interval is accrued to {@code as_of}.
 *
 * @param costPerHour what the task costs per hour now (sum of its running instances' prices)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TaskCostResponse(String taskId, String project, String currency, Instant asOf, boolean running,
                               String costPerHour, long costPerHourCents, String costPerHourExact,
                               String totalCost, long totalCostCents, String totalCostExact,
                               List<IntervalView> intervals) {

    /** One priced interval of one instance; {@code ended_at} is null while it runs. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record IntervalView(String instance, int node, String pricePerHour, long pricePerHourCents,
                               String pricePerHourExact, Instant startedAt, Instant endedAt,
                               String cost, long costCents, String costExact) {
    }
}
