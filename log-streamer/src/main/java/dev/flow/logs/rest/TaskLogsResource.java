package dev.flow.logs.rest;

import dev.flow.logs.config.LogsConfig;
import dev.flow.logs.kafka.LogEntry;
import dev.flow.logs.service.LogViews;
import dev.flow.logs.service.TaskDirectory;
import dev.flow.logs.service.TaskVisibility;
import dev.flow.logs.service.ViewRequest;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import dev.flow.service.rest.PathIds;
import dev.flow.model.error.TaskExecutionError;
import dev.flow.model.status.TaskStatus;
import dev.flow.service.security.ProjectAccess;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.smallrye.mutiny.Multi;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/tasks/{id}/logs}: as {@code text/plain}, the last lines as {@code <ts> [node K] text}, for curl (a
 * pending task without lines: 409); as {@code text/event-stream}, the WebSocket's view ({@code tail}, {@code follow},
 * {@code after}, {@code node}) as Server-Sent Events, with {@code gap} and {@code status} events besides the lines.
 */
@Path("/v1/tasks/{id}/logs")
@Authenticated
public class TaskLogsResource {

    private final LogViews views;
    private final TaskVisibility visibility;
    private final TaskDirectory directory;
    private final ProjectAccess access;
    private final LogsConfig config;

    public TaskLogsResource(LogViews views, TaskVisibility visibility, TaskDirectory directory, ProjectAccess access,
                            LogsConfig config) {
        this.views = views;
        this.directory = directory;
        this.visibility = visibility;
        this.access = access;
        this.config = config;
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    @RunOnVirtualThread // a blocking Kafka read
    public String logs(@PathParam("id") String taskId, @Context UriInfo uri) {
        // the same parameters and checks as the stream: a bad value is a 422 naming it, never ignored
        ViewRequest request = ViewRequest.parse(PathIds.require("task", taskId), uri.getQueryParameters(),
                config.viewer().defaultTail(), config.viewer().maxTail());
        if (request.after().isPresent()) {
            throw new ValidationError("invalid log view parameters", List.of(new FieldError("after",
                    "applies to the event stream and the WebSocket; plain text shows the last `tail` lines",
                    "Accept: text/event-stream, or tail=N")));
        }
        if (!visibility.visible(taskId, access)) {
            throw new ResourceNotFoundError("task " + taskId + " not found");
        }
        directory.find(taskId).ifPresent(t -> request.requireNodeBelow(t.numInstances()));
        List<LogEntry> lines = views.tail(taskId, request.tail(), request.node());
        if (lines.isEmpty() && directory.find(taskId).map(t -> t.status() == TaskStatus.PENDING).orElse(false)) {
            // a clear answer rather than an empty 200: there is nothing to show yet, and why
            throw new TaskExecutionError("task " + taskId + " is pending: it has no logs yet", List.of(
                    "retry once the task is running",
                    "follow it: the WebSocket or text/event-stream with follow=true waits for the first lines"));
        }
        StringBuilder text = new StringBuilder();
        for (LogEntry entry : lines) {
            text.append(entry.line().ts()).append(" [node ").append(entry.line().node()).append("] ")
                    .append(entry.line().text()).append('\n');
        }
        return text.toString();
    }

    /**
     * One event per line: {@code id} = the line's token, {@code data} = the WebSocket's JSON message. A
     * {@code Last-Event-ID} (what an {@code EventSource} sends when it reconnects) resumes after that token and takes
     * precedence over {@code after}. Refusals (401, 404, 422 for bad parameters) happen here, before the stream starts; the Kafka reads run
     * on the view's virtual thread, never on the event loop.
     * <p>
     * RESTEasy still owns the response (negotiation, the refusals as problem+json, the SSE head, its end, and the
     * cancellation when the client leaves or the token expires), but the events are written by the view itself to
     * the Vert.x response: a batch of pre-encoded frames as one write ({@link LogViews#events}). Through RESTEasy's
     * SSE writer every event was built, serialised and written for every viewer, one at a time. The returned stream
     * emits no item; RESTEasy subscribes to it only once the head is written, so the view's writes follow the head.
     */
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS + ";qs=0.5") // text/plain stays the answer to curl's */*
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<OutboundSseEvent> events(@PathParam("id") String taskId, @Context UriInfo uri,
                                          @Context HttpServerResponse response,
                                          @HeaderParam("Last-Event-ID") String lastEventId) {
        Map<String, List<String>> query = new HashMap<>(uri.getQueryParameters());
        if (lastEventId != null && !lastEventId.isBlank()) {
            query.put("after", List.of(lastEventId.trim()));
        }
        ViewRequest request = ViewRequest.parse(PathIds.require("task", taskId), query, config.viewer().defaultTail(),
                config.viewer().maxTail());
        if (!visibility.visible(taskId, access)) {
            throw new ResourceNotFoundError("task " + taskId + " not found");
        }
        directory.find(taskId).ifPresent(t -> request.requireNodeBelow(t.numInstances()));
        // the stream ends when the caller's token expires (reconnect with a fresh one, Last-Event-ID resumes)
        return access.untilTokenExpires(views.events(request, response));
    }
}
