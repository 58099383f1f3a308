package dev.flow.submitter.repository;

import dev.flow.submitter.domain.TaskEntity;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

@ApplicationScoped
public class TaskRepository implements PanacheRepositoryBase<TaskEntity, String> {

    /** Where a page of the newest-first list ends: the last row's (created_at, id), the keyset of the next page. */
    public record Position(Instant createdAt, String id) {
    }

    /**
     * Newest first by (created_at, id), of the given projects, optionally only the given statuses and the given
     * name (exact, or a prefix), strictly after {@code after} in that order. Keyset paging: a task inserted while a
     * client pages is newer than every position it holds, so it never shifts or repeats a page.
     */
    public Uni<List<TaskEntity>> listPage(Collection<String> projects, Collection<String> statuses, String name,
                                          boolean namePrefix, Position after, int limit) {
        Sort newest = Sort.by("createdAt", Sort.Direction.Descending).and("id", Sort.Direction.Descending);
        StringBuilder query = new StringBuilder("project in :projects");
        Map<String, Object> params = new HashMap<>();
        params.put("projects", projects);
        if (!statuses.isEmpty()) {
            query.append(" and status in :statuses");
            params.put("statuses", statuses);
        }
        if (name != null) {
            if (namePrefix) {
                query.append(" and name like :name escape '!'");
                params.put("name", name.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
            } else {
                query.append(" and name = :name");
                params.put("name", name);
            }
        }
        if (after != null) {
            query.append(" and (createdAt < :afterAt or (createdAt = :afterAt and id < :afterId))");
            params.put("afterAt", after.createdAt());
            params.put("afterId", after.id());
        }
        return find(query.toString(), newest, params).page(Page.ofSize(limit)).list();
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

    /**
     * Stops Mithril confirmed whose task is still not over ({@code status} not in {@code ended}), due for a look: the
     * first {@code confirmedBefore}, the next at their {@code stopCheckAt}; at most {@code maxResends} re-sends each.
     */
    public Uni<List<TaskEntity>> stopsNotOver(Collection<String> ended, Instant confirmedBefore, Instant now,
                                              int maxResends, int limit) {
        return find("bidCancelledAt is not null and bidFid is not null and stopTookAt is null and status not in ?1 "
                        + "and stopResends < ?2 "
                        + "and ((stopCheckAt is null and bidCancelledAt < ?3) or stopCheckAt <= ?4)",
                Sort.by("bidCancelledAt"), ended, maxResends, confirmedBefore, now).page(Page.ofSize(limit)).list();
    }

    /** The tasks whose bids these are (a volume names the bids it is attached to). */
    public Uni<List<TaskEntity>> findByBidFids(Collection<String> bidFids) {
        return list("bidFid in ?1", bidFids);
    }
}
