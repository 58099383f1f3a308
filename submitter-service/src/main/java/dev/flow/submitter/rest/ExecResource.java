package dev.flow.submitter.rest;

import dev.flow.service.rest.PathIds;
import dev.flow.service.security.ProjectAccess;
import dev.flow.submitter.service.ExecService;
import io.quarkus.security.Authenticated;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Duration;

/**
 * The seed's {@code task.shell(command, node)}: one command on one node of a running task, over SSH with the
 * platform key. The {@code Accept} header picks the answer: JSON (the default) once the command ended, or its
 * output as it comes as Server-Sent Events or NDJSON.
 */
@Path("/v1/tasks/{id}/exec")
@Authenticated
@Tag(name = "tasks")
public class ExecResource {

    public static final String NDJSON = "application/x-ndjson";
    private static final String REQUEST_EXAMPLE = "{\"command\":\"echo node $FLOW_NODE_RANK; nvidia-smi -L\","
            + "\"node\":1,\"timeout_seconds\":60}";

    private final ExecService exec;
    private final ProjectAccess access;

    public ExecResource(ExecService exec, ProjectAccess access) {
        this.exec = exec;
        this.access = access;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Run a command on a node (task.shell)", description = "Runs `command` on node `node` "
            + "(default 0) of a running task over SSH and answers once it ended. 404 unknown or another project's "
            + "task; 409 TaskExecutionError when the task is not running; 422 on `node` out of range; 504 "
            + "TimeoutError after `timeout_seconds` (default 60); 429 with Retry-After when too many exec sessions "
            + "are open (per service or project); 502 when the node is unreachable or its SSH host key changed "
            + "since the first connect. `Accept: text/event-stream` or "
            + "`application/x-ndjson` streams the output instead.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "node 1", value = REQUEST_EXAMPLE)))
    @APIResponse(responseCode = "200", description = "the command ended (any exit code)", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "done", value =
            "{\"stdout\":\"node 1\\nGPU 0: NVIDIA A100-SXM4-80GB\\n\",\"stderr\":\"\",\"exit_code\":0,\"node\":1,"
                    + "\"duration_ms\":412,\"truncated\":false}")))
    public Uni<ExecResultView> run(@PathParam("id") String id, String body) {
        PathIds.require("task", id);
        ExecRequest request = ExecRequest.parse(body);
        Duration timeout = exec.timeout(request.timeoutSeconds());
        return exec.target(id, access.projects(), request.nodeOrDefault())
                .chain(target -> exec.run(target, request.command(), timeout))
                .map(ExecResultView::of);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Run a command on a node, streamed as Server-Sent Events", description = "Events "
            + "`stdout`/`stderr` (data: {\"type\",\"data\"}) as the output comes, then `exit` (data: {\"type\":"
            + "\"exit\",\"exit_code\",\"node\",\"duration_ms\"}) or `error` (data: {\"type\":\"error\",\"error\": "
            + "<problem>}, e.g. a TimeoutError). Errors found before the command starts are problem+json responses.")
    @Blocking
    public Multi<OutboundSseEvent> runAsEvents(@PathParam("id") String id, String body, @Context Sse sse) {
        return events(id, body).map(view -> sse.newEventBuilder().name(view.type())
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(ExecEventView.class, view).build());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(NDJSON)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Run a command on a node, streamed as NDJSON", description = "One ExecEvent per line: "
            + "{\"type\":\"stdout\",\"data\":\"…\"} …, then {\"type\":\"exit\",\"exit_code\":0,…} or "
            + "{\"type\":\"error\",\"error\":{…problem…}}.")
    @Blocking
    public Multi<ExecEventView> runAsLines(@PathParam("id") String id, String body) {
        return events(id, body);
    }

    /**
     * Every check (body, task, status, node) happens before the stream opens, so each is a plain problem+json
     * answer: Quarkus REST writes an SSE response's head as soon as the method returns its {@code Multi}, and a
     * failure after that could only cut the stream. So the streaming methods run on a worker thread
     * ({@code @Blocking}) and wait there (never on the event loop) for the task lookup, which itself runs on a
     * Vert.x context as Hibernate Reactive requires; the command's output then streams without any thread waiting.
     */
    private Multi<ExecEventView> events(String id, String body) {
        PathIds.require("task", id);
        ExecRequest request = ExecRequest.parse(body);
        Duration timeout = exec.timeout(request.timeoutSeconds());
        java.util.Set<String> projects = access.projects();
        ExecService.Target target;
        try {
            target = VertxContextSupport.subscribeAndAwait(
                    () -> exec.target(id, projects, request.nodeOrDefault()));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        return exec.stream(target, request.command(), timeout).map(ExecEventView::of);
    }
}
