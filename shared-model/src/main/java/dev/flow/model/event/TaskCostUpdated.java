package dev.flow.model.event;

import dev.flow.model.money.Money;

import java.time.Instant;
import java.util.Objects;

/**
 * The cost of a task so far.
 *
 * @param costPerHour current rate of the whole task (all instances)
 * @param totalCost   accrued since the task started, at full precision
 * @param at          the event time up to which {@code totalCost} is computed
 */
@EventType("dev.flow.cost.task.updated.v1")
public record TaskCostUpdated(String taskId, String project, Money costPerHour, Money totalCost, Instant at)
        implements CostEvent {

    public TaskCostUpdated {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public String key() {
        return taskId;
    }

    @Override
    public Instant time() {
        return at;
    }
}
