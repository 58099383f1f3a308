package dev.flow.cost.repository;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import dev.flow.cost.domain.InstanceReconciliation;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class ReconciliationRepository implements PanacheRepositoryBase<InstanceReconciliation, String> {

    /** An instance whose ledger intervals are all closed and which still needs a look at Mithril's billing. */
    public record Candidate(String taskId, String project, String instanceFid) {
    }

    /** Every reconciliation row of these tasks. */
    public Uni<List<InstanceReconciliation>> ofTasks(Collection<String> taskIds) {
        return list("taskId in ?1", Sort.by("taskId", "instanceFid"), taskIds);
    }

    /** The RECONCILED rows among these instances. */
    public Uni<List<InstanceReconciliation>> reconciledAmong(Collection<String> instanceFids) {
        if (instanceFids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("status = 'RECONCILED' and instanceFid in :fids", Map.of("fids", instanceFids));
    }

    /**
     * Instances with ledger intervals, none open, not reconciled yet and not given up on ({@code maxAttempts} looks
     * that found nothing final), oldest first.
     */
    public Uni<List<Candidate>> candidates(int maxAttempts, int batch) {
        return getSession().flatMap(session -> session.createSelectionQuery("""
                        select i.taskId, i.project, i.instanceFid, min(i.startedAt) from CostInterval i
                        where not exists (select 1 from CostInterval o where o.instanceFid = i.instanceFid
                                          and o.endedAt is null)
                          and not exists (select 1 from InstanceReconciliation r where r.instanceFid = i.instanceFid
                                          and (r.status = 'RECONCILED' or r.attempts >= :max))
                        group by i.taskId, i.project, i.instanceFid
                        order by min(i.startedAt), i.instanceFid""", Object[].class)
                .setParameter("max", maxAttempts)
                .setMaxResults(batch)
                .getResultList())
                .map(rows -> rows.stream()
                        .map(r -> new Candidate((String) r[0], (String) r[1], (String) r[2])).toList());
    }

    /** Forgets what was reconciled for an instance the ledger bills again (its segments go with it). */
    public Uni<Long> forget(Collection<String> instanceFids) {
        if (instanceFids.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        return delete("instanceFid in ?1", instanceFids);
    }
}
