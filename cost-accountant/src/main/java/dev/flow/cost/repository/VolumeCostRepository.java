package dev.flow.cost.repository;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.flow.cost.domain.VolumeCost;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class VolumeCostRepository implements PanacheRepositoryBase<VolumeCost, String> {

    public Uni<List<VolumeCost>> ofProject(String project) {
        return list("project", Sort.by("createdAt").and("volumeFid"), project);
    }

    /** The project's volumes that existed at some time in {@code [from, to)}. */
    public Uni<List<VolumeCost>> ofProjectBetween(String project, Instant from, Instant to) {
        return list("project = :project and createdAt < :to and (deletedAt is null or deletedAt > :from)",
                Sort.by("createdAt").and("volumeFid"), Map.of("project", project, "from", from, "to", to));
    }

    /** Projects with a volume that exists or was deleted since {@code since}. */
    public Uni<List<String>> projectsActiveSince(Instant since) {
        return getSession().flatMap(session -> session.createSelectionQuery(
                "select distinct v.project from VolumeCost v where v.deletedAt is null or v.deletedAt >= :since",
                String.class).setParameter("since", since).getResultList());
    }
}
