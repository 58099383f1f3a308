package dev.flow.model.event;

import dev.flow.model.money.Money;

import java.time.Instant;
import java.util.Objects;

/**
 * A project's spend (or its forecast for the period) crossed a threshold of its budget.
 *
 * @param threshold percent of the limit (e.g. 50, 80, 100)
 * @param kind      whether actual spend or the forecast crossed it
 * @param forecast  projected spend at the end of the period
 */
@EventType("dev.flow.budget.threshold.crossed.v1")
public record BudgetThresholdCrossed(String project, String budgetId, int threshold, AlertKind kind, Money spent,
                                     Money forecast, Money limit, BudgetPeriod period, Instant periodStart, Instant at)
        implements BudgetEvent {

    public BudgetThresholdCrossed {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public String key() {
        return project;
    }

    @Override
    public Instant time() {
        return at;
    }
}
