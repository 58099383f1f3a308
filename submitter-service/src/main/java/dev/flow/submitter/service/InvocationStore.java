package dev.flow.submitter.service;

import dev.flow.submitter.domain.InvocationEntity;
import dev.flow.submitter.repository.InvocationRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;

/** The invocation table's units of work (each public method one session or transaction). */
@ApplicationScoped
public class InvocationStore {

    private final InvocationRepository invocations;

    public InvocationStore(InvocationRepository invocations) {
        this.invocations = invocations;
    }

    /** The invocation of a task, written when it does not exist yet (a replayed request finds the first one). */
    @WithTransaction
    public Uni<InvocationEntity> insertIfAbsent(InvocationEntity invocation) {
        return invocations.findByTaskId(invocation.taskId).chain(existing -> existing != null
                ? Uni.createFrom().item(existing)
                : invocations.persist(invocation));
    }

    @WithSession
    public Uni<InvocationEntity> find(String id) {
        return invocations.findById(id);
    }

    @WithSession
    public Uni<InvocationEntity> findByTaskId(String taskId) {
        return invocations.findByTaskId(taskId);
    }

    /**
     * Records the runner's outcome once: the first result line of a task wins, a redelivered or later one changes
     * nothing.
     *
     * @return whether this call recorded it (false: not an invocation's task, or already recorded)
     */
    @WithTransaction
    public Uni<Boolean> recordOutcome(String taskId, boolean succeeded, String resultJson, String errorJson,
                                      Instant at) {
        return invocations.findByTaskId(taskId).map(invocation -> {
            if (invocation == null || invocation.outcome != null) {
                return false;
            }
            invocation.outcome = succeeded ? "succeeded" : "failed";
            invocation.resultJson = resultJson;
            invocation.errorJson = errorJson;
            invocation.finishedAt = at;
            invocation.updatedAt = Instant.now();
            return true;
        });
    }
}
