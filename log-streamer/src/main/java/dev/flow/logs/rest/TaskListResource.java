package dev.flow.logs.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.flow.logs.service.TaskDirectory;
import dev.flow.model.status.TaskStatus;
import dev.flow.service.security.ProjectAccess;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /v1/logs/tasks}: the tasks whose logs the caller may view (its token's projects, whatever its groups), with
 * their last known status, most recently changed first. For the viewer page, which polls it for live status. The
 * log streamer knows tasks only from the status topic, so this is its own view, not the submitter's task API.
 */
@Path("/v1/logs/tasks")
@Authenticated
public class TaskListResource {

    public record TaskItem(@JsonProperty("task_id") String taskId, String project, TaskStatus status, Instant at,
                           @JsonProperty("num_instances") int numInstances) {
    }

    private final TaskDirectory directory;
    private final ProjectAccess access;

    public TaskListResource(TaskDirectory directory, ProjectAccess access) {
        this.directory = directory;
        this.access = access;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<TaskItem> tasks() {
        return directory.list(t -> access.mayUse(t.project())).stream()
                .map(t -> new TaskItem(t.taskId(), t.project(), t.status(), t.at(), t.numInstances()))
                .toList();
    }
}
