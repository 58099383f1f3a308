package dev.flow.submitter.repository;

import dev.flow.submitter.domain.InvocationEntity;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class InvocationRepository implements PanacheRepositoryBase<InvocationEntity, String> {

    public Uni<InvocationEntity> findByTaskId(String taskId) {
        return find("taskId", taskId).firstResult();
    }
}
