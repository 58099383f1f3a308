package dev.flow.model.event;

import dev.flow.model.money.Money;

import java.time.Instant;
import java.util.Objects;

/**
 * A project spent its whole budget for the period.
 *
 * @param stopsTasks whether the budget stops the project's running tasks ({@code BUDGET_STOP}) or only alerts
 */
@EventType("dev.flow.budget.exhausted.v1")
public record BudgetExhausted(String project, String budgetId, Money spent, Money limit, BudgetPeriod period,
                              Instant periodStart, boolean stopsTasks, Instant at) implements BudgetEvent {

    public BudgetExhausted {
        Objects.requireNonNull(project, "project");
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
