package dev.flow.cost.rest;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * {@code GET /v1/costs/tasks/{id}}: what a task has cost so far. A running interval is accrued to {@code as_of}.
 *
 * @param costPerHour what the task costs per hour now (sum of its running instances' prices)
 * @param totalCost   Mithril's billed amount for reconciled instances, the status-based estimate for the others
 * @param estimatedCost the status-based estimate of every instance (event times × prices)
 * @param reconciliationDifference {@code total_cost - estimated_cost}: what reconciliation changed
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TaskCostResponse(String taskId, String project, String currency, Instant asOf, boolean running,
                               String costPerHour, long costPerHourCents, String costPerHourExact,
                               String totalCost, long totalCostCents, String totalCostExact,
                               String estimatedCost, long estimatedCostCents, String estimatedCostExact,
                               String reconciliationDifference, long reconciliationDifferenceCents,
                               String reconciliationDifferenceExact,
                               List<IntervalView> intervals, List<ReconciliationView> reconciliations) {

    /** One priced interval of one instance; {@code ended_at} is null while it runs. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record IntervalView(String instance, int node, String source, String pricePerHour,
                               long pricePerHourCents, String pricePerHourExact, Instant startedAt, Instant endedAt,
                               String cost, long costCents, String costExact) {
    }

    /**
     * What Mithril's pricing history said about one instance: {@code reconciled} (its billed segments replace the
     * status-based intervals), {@code pending} (Mithril still bills it) or {@code not_found}.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ReconciliationView(String instance, String status, String estimatedCostExact,
                                     String reconciledCostExact, String differenceExact, Long differenceCents,
                                     Instant checkedAt) {
    }
}
