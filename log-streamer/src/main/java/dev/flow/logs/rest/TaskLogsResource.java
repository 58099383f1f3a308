package dev.flow.logs.rest;

import dev.flow.logs.kafka.LogEntry;
import dev.flow.logs.service.LogViews;
import dev.flow.logs.service.TaskVisibility;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.service.security.ProjectAccess;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v1/tasks/{id}/logs?tail=N}: the last lines as plain text, {@code <ts> [node K] text}, for curl. */
@Path("/v1/tasks/{id}/logs")
@Authenticated
public class TaskLogsResource {

    private final LogViews views;
    private final TaskVisibility visibility;
    private final ProjectAccess access;

    public TaskLogsResource(LogViews views, TaskVisibility visibility, ProjectAccess access) {
        this.views = views;
        this.visibility = visibility;
        this.access = access;
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    @RunOnVirtualThread // a blocking Kafka read
    public String logs(@PathParam("id") String taskId,
                       @QueryParam("tail") @DefaultValue("100") @Min(0) @Max(10000) int tail) {
        if (!visibility.visible(taskId, access)) {
            throw new ResourceNotFoundError("task " + taskId + " not found");
        }
        StringBuilder text = new StringBuilder();
        for (LogEntry entry : views.tail(taskId, tail)) {
            text.append(entry.line().ts()).append(" [node ").append(entry.line().node()).append("] ")
                    .append(entry.line().text()).append('\n');
        }
        return text.toString();
    }
}
