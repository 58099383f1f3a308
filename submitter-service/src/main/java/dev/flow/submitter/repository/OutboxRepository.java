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
        return find("sentAt is null and deadAt is null", Sort.by("id")).page(Page.ofSize(limit)).list();
    }

    /** The creation time of the oldest unsent row, or null when all are sent. */
    public Uni<Instant> oldestUnsent() {
        // rows set aside (dead) are never sent: they are counted as dead letters, not as an outbox falling behind
        return find("sentAt is null and deadAt is null", Sort.by("id")).firstResult()
                .map(row -> row == null ? null : row.createdAt);
    }

    /** Marks a relay batch's sent rows in one statement. */
    public Uni<Integer> markSent(java.util.Collection<Long> ids, Instant at) {
        return update("sentAt = ?1, attempts = attempts + 1 where id in ?2 and sentAt is null", at, ids);
    }

    /** Sets a row aside that Kafka can never take; the relay skips it from now on. */
    public Uni<Integer> markDead(long id, Instant at, String reason) {
        return update("deadAt = ?1, deadReason = ?2, attempts = attempts + 1 where id = ?3 and sentAt is null", at,
                reason.length() > 1000 ? reason.substring(0, 1000) : reason, id);
    }

    /** Rows set aside so far (all replicas, since the table exists). */
    public Uni<Long> countDead() {
        return count("deadAt is not null");
    }

    public Uni<Integer> countAttempt(long id) {
        return update("attempts = attempts + 1 where id = ?1", id);
    }
}
