package dev.flow.cost.repository;

import java.time.Instant;
import java.util.List;

import dev.flow.cost.domain.BudgetAlert;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class BudgetAlertRepository implements PanacheRepositoryBase<BudgetAlert, String> {

    public Uni<List<BudgetAlert>> ofPeriod(String budgetId, Instant periodStart) {
        return list("budgetId = ?1 and periodStart = ?2", Sort.by("kind").and("threshold"), budgetId, periodStart);
    }

    public Uni<List<BudgetAlert>> unpublished() {
        return list("publishedAt is null", Sort.by("crossedAt").and("kind").and("threshold"));
    }
}
