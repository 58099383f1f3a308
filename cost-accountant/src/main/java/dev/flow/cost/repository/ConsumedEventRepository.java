package dev.flow.cost.repository;

import dev.flow.cost.domain.ConsumedEvent;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class ConsumedEventRepository implements PanacheRepositoryBase<ConsumedEvent, String> {

    /** The project of a task the accountant has seen a status event of, or null. */
    public Uni<String> projectOfTask(String taskId) {
        return find("taskId = ?1 and project is not null", taskId).firstResult()
                .map(event -> event == null ? null : event.project);
    }
}
