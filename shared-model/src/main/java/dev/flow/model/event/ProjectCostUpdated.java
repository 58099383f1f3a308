package dev.flow.model.event;

import dev.flow.model.money.Money;

import java.time.Instant;
import java.util.Objects;

/**
 * The spend of a project in the current period. Keyed by project.
 *
 * @param total           spent since {@code periodStart}
 * @param burnRatePerHour what the project's running tasks cost per hour now
 */
@EventType("dev.flow.cost.project.updated.v1")
public record ProjectCostUpdated(String project, Instant periodStart, Money total, Money burnRatePerHour, Instant at)
        implements CostEvent {

    public ProjectCostUpdated {
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
