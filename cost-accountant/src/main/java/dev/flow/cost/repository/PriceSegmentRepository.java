package dev.flow.cost.repository;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import dev.flow.cost.domain.PriceSegment;
import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class PriceSegmentRepository implements PanacheRepository<PriceSegment> {

    private static final Sort ORDER = Sort.by("startedAt").and("node").and("id");

    /** Every Mithril-billed segment of these tasks. */
    public Uni<List<PriceSegment>> ofTasks(java.util.Collection<String> taskIds) {
        return list("taskId in ?1", ORDER, taskIds);
    }

    /** Every segment of the project that overlaps {@code [from, to)}. */
    public Uni<List<PriceSegment>> ofProjectBetween(String project, Instant from, Instant to) {
        return list("project = :project and startedAt < :to and endedAt > :from",
                Sort.by("taskId").and("startedAt").and("node").and("id"),
                Map.of("project", project, "from", from, "to", to));
    }

    public Uni<Long> deleteOf(Collection<String> instanceFids) {
        if (instanceFids.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        return delete("instanceFid in ?1", instanceFids);
    }
}
