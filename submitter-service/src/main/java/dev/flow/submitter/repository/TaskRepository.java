package dev.flow.submitter.repository;

import dev.flow.submitter.domain.TaskEntity;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

@ApplicationScoped
public class TaskRepository implements PanacheRepositoryBase<TaskEntity, String> {

    /** Newest first, of the given projects, optionally only the given statuses. */
    public Uni<List<TaskEntity>> listNewest(Collection<String> projects, Collection<String> statuses, int limit) {
        Sort newest = Sort.by("createdAt", Sort.Direction.Descending).and("id", Sort.Direction.Descending);
        if (statuses.isEmpty()) {
            return find("project in :projects", newest, Map.<String, Object>of("projects", projects))
                    .page(Page.ofSize(limit)).list();
        }
        return find("project in :projects and status in :statuses", newest,
                Map.<String, Object>of("projects", projects, "statuses", statuses))
                .page(Page.ofSize(limit)).list();
    }

    public Uni<TaskEntity> findByIdempotencyKey(String project, String key) {
        return find("project = ?1 and idempotencyKey = ?2", project, key).firstResult();
    }

    public Uni<List<TaskEntity>> stuckSubmissions(Instant createdBefore, String pending, int limit) {
        return find("bidFid is null and status = ?1 and createdAt < ?2", Sort.by("createdAt"), pending, createdBefore)
                .page(Page.ofSize(limit)).list();
    }

    /** Cancels that Mithril has not confirmed, requested before {@code before} (so the request path goes first). */
    public Uni<List<TaskEntity>> unconfirmedCancels(Instant before, int limit) {
        return find("cancelRequestedAt < ?1 and bidCancelledAt is null and bidFid is not null",
                Sort.by("cancelRequestedAt"), before).page(Page.ofSize(limit)).list();
    }

    /** The tasks whose bids these are (a volume names the bids it is attached to). */
    public Uni<List<TaskEntity>> findByBidFids(Collection<String> bidFids) {
        return list("bidFid in ?1", bidFids);
    }
}
