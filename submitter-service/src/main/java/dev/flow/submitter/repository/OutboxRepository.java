package dev.flow.submitter.repository;

import dev.flow.submitter.domain.OutboxEntity;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;

@ApplicationScoped
public class OutboxRepository implements PanacheRepositoryBase<OutboxEntity, Long> {

    /** The oldest unsent rows: publishing in id order keeps every task's events in order. */
    public Uni<List<OutboxEntity>> unsent(int limit) {
        return find("sentAt is null", Sort.by("id")).page(Page.ofSize(limit)).list();
    }

    /** The creation time of the oldest unsent row, or null when all are sent. */
    public Uni<Instant> oldestUnsent() {
        return find("sentAt is null", Sort.by("id")).firstResult().map(row -> row == null ? null : row.createdAt);
    }

    public Uni<Integer> markSent(long id, Instant at) {
        return update("sentAt = ?1, attempts = attempts + 1 where id = ?2 and sentAt is null", at, id);
    }

    public Uni<Integer> countAttempt(long id) {
        return update("attempts = attempts + 1 where id = ?1", id);
    }
}
