package dev.flow.cost.repository;

import dev.flow.cost.domain.ConsumedEvent;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class ConsumedEventRepository implements PanacheRepositoryBase<ConsumedEvent, String> {

    /** Which of these event ids were applied already. */
    public Uni<java.util.Set<String>> idsAmong(java.util.Collection<String> ids) {
        return getSession().flatMap(session -> session.createSelectionQuery(
                "select e.eventId from ConsumedEvent e where e.eventId in :ids", String.class)
                .setParameter("ids", ids).getResultList()).map(java.util.Set::copyOf);
    }

    /** The project of a task the accountant has seen a status event of, or null. */
    public Uni<String> projectOfTask(String taskId) {
        return find("taskId = ?1 and project is not null", taskId).firstResult()
                .map(event -> event == null ? null : event.project);
    }
}
