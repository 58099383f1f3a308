package dev.flow.cost.repository;

import java.util.Collection;
import java.util.List;

import dev.flow.cost.domain.Budget;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class BudgetRepository implements PanacheRepositoryBase<Budget, String> {

    public Uni<List<Budget>> ofProjects(Collection<String> projects) {
        return projects.isEmpty() ? Uni.createFrom().item(List.of())
                : list("project in ?1", Sort.by("project").and("period"), projects);
    }

    public Uni<Budget> ofProjectAndPeriod(String project, String period) {
        return find("project = ?1 and period = ?2", project, period).firstResult();
    }

    public Uni<List<Budget>> everyBudget() {
        return listAll(Sort.by("id"));
    }
}
