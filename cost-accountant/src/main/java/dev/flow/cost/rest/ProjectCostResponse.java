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
 * @param totalCost compute (tasks) + storage (volumes)
 * @param groupBy {@code day}, {@code instance_type} or {@code task} when asked for, else null (and no {@code groups})
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ProjectCostResponse(String project, Instant from, Instant to, Instant asOf, String currency,
                                  String costPerHour, long costPerHourCents, String costPerHourExact,
                                  String totalCost, long totalCostCents, String totalCostExact,
                                  String computeCost, long computeCostCents, String computeCostExact,
                                  String storageCost, long storageCostCents, String storageCostExact,
                                  List<TaskTotal> tasks, List<VolumeTotal> volumes, String groupBy,
                                  List<GroupTotal> groups) {

    /** A volume's storage within the window: size × price per GB-month from creation to deletion. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record VolumeTotal(String volume, Instant createdAt, Instant deletedAt, String costPerHourExact,
                              String totalCost, long totalCostCents, String totalCostExact) {
    }

    /** One group of {@code group_by}: a UTC day ({@code 2026-03-01}), an instance type or a task id. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record GroupTotal(String key, String totalCost, long totalCostCents, String totalCostExact) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TaskTotal(String taskId, boolean running, String costPerHour, long costPerHourCents,
                            String totalCost, long totalCostCents, String totalCostExact) {
    }
}
