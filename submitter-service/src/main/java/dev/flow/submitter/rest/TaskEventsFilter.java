package dev.flow.submitter.rest;

import dev.flow.service.security.ProjectAccess;
import dev.flow.submitter.service.TaskService;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * An SSE response's headers (200) go out before the stream's first item, so a stream whose first read fails could
 * only reset the connection. For {@code GET /v1/tasks/{id}/events} this filter reads the task before the resource
 * method runs: an unknown or another project's task is a plain 404 problem+json, like {@code GET /v1/tasks/{id}}.
 * Anonymous callers pass on to the {@code @Authenticated} check and its 401.
 */
public class TaskEventsFilter {

    private final TaskService tasks;
    private final ProjectAccess access;
    private final SecurityIdentity identity;

    public TaskEventsFilter(TaskService tasks, ProjectAccess access, SecurityIdentity identity) {
        this.tasks = tasks;
        this.access = access;
        this.identity = identity;
    }

    @ServerRequestFilter
    public Uni<Void> visibleTask(ContainerRequestContext request, ResourceInfo resource) {
        if (resource.getResourceClass() != TaskEventsResource.class || identity.isAnonymous()) {
            return Uni.createFrom().voidItem();
        }
        return tasks.get(request.getUriInfo().getPathParameters().getFirst("id"), access.projects()).replaceWithVoid();
    }
}
