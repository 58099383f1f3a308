package dev.flow.cost.repository;

import java.time.Instant;
import java.util.List;

import dev.flow.cost.domain.BudgetStop;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class BudgetStopRepository implements PanacheRepositoryBase<BudgetStop, String> {

    public Uni<List<BudgetStop>> ofPeriod(String budgetId, Instant periodStart) {
        return list("budgetId = ?1 and periodStart = ?2", budgetId, periodStart);
    }

    public Uni<List<BudgetStop>> unpublished() {
        return list("publishedAt is null", Sort.by("decidedAt").and("taskId"));
    }
}
