package dev.flow.cost.repository;

import java.util.Collection;
import java.util.List;

import dev.flow.cost.domain.Budget;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.LockModeType;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class BudgetRepository implements PanacheRepositoryBase<Budget, String> {

    public Uni<List<Budget>> ofProjects(Collection<String> projects) {
        return projects.isEmpty() ? Uni.createFrom().item(List.of())
                : list("project in ?1", Sort.by("project").and("period"), projects);
    }

    /**
     * Locked for update: a replacement (which re-arms thresholds against the new limit) and a budget check
     * serialise, so a check never combines the old limit with the re-armed thresholds.
     */
    public Uni<Budget> ofProjectAndPeriodLocked(String project, String period) {
        return find("project = ?1 and period = ?2", project, period).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResult();
    }

    /** Every budget, locked for the check's transaction (see {@link #ofProjectAndPeriodLocked}). */
    public Uni<List<Budget>> everyBudgetLocked() {
        return findAll(Sort.by("id")).withLock(LockModeType.PESSIMISTIC_WRITE).list();
    }
}
