package dev.flow.cost.repository;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.flow.cost.domain.CostInterval;
import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class CostIntervalRepository implements PanacheRepository<CostInterval> {

    private static final Sort ORDER = Sort.by("startedAt").and("node").and("id");

    /** Every interval of these tasks. */
    public Uni<List<CostInterval>> ofTasks(java.util.Collection<String> taskIds) {
        return list("taskId in ?1", ORDER, taskIds);
    }

    /** Every interval of the project that overlaps {@code [from, to)}. */
    public Uni<List<CostInterval>> ofProjectBetween(String project, Instant from, Instant to) {
        return list("project = :project and startedAt < :to and (endedAt is null or endedAt > :from)",
                Sort.by("taskId").and("startedAt").and("node").and("id"),
                Map.of("project", project, "from", from, "to", to));
    }

    public Uni<List<CostInterval>> allOpen() {
        return list("endedAt is null", Sort.by("taskId").and("node"));
    }

    public Uni<List<String>> projectsActiveSince(Instant since) {
        return getSession().flatMap(session -> session.createSelectionQuery(
                "select distinct i.project from CostInterval i where i.endedAt is null or i.endedAt >= :since "
                        + "order by i.project", String.class).setParameter("since", since).getResultList());
    }
}
