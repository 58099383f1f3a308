package dev.flow.submitter.rest;

import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.status.TaskStatus;
import dev.flow.service.security.ProjectAccess;
import dev.flow.submitter.service.TaskService;
import dev.flow.submitter.service.TaskStore;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The task API: the seed's {@code flow.run / status / list / cancel} over HTTP. */
@Path("/v1/tasks")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "tasks")
public class TaskResource {

    static final int MAX_LIMIT = 500;
    /** Sent again with a retried POST, it makes the retry return the first task instead of submitting twice. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final java.util.regex.Pattern IDEMPOTENCY_KEY_FORMAT = java.util.regex.Pattern.compile("^[\\x21-\\x7e]{1,128}$");

    private final TaskService tasks;
    private final ProjectAccess access;

    public TaskResource(TaskService tasks, ProjectAccess access) {
        this.tasks = tasks;
        this.access = access;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Submit a task", description = "Body: a TaskConfig (snake_case). Places a Mithril spot bid "
            + "named flow-<task_id>. 201 with the Task; 422 application/problem+json naming each bad field.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "hello",
            value = "{\"name\":\"hello\",\"instance_type\":\"a100\",\"command\":\"echo hello; sleep 3\","
                    + "\"env\":{\"EPOCHS\":\"3\"},\"max_price_per_hour\":12.5}")))
    @APIResponse(responseCode = "201", description = "the task, pending")
    @APIResponse(responseCode = "200", description = "an Idempotency-Key replay: the task the key first created")
    public Uni<Response> submit(@QueryParam("project") String project,
                                @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey, String body,
                                @Context UriInfo uri) {
        String resolved = access.resolve(project);
        if (idempotencyKey != null && !IDEMPOTENCY_KEY_FORMAT.matcher(idempotencyKey).matches()) {
            throw ValidationError.of(FieldError.of(IDEMPOTENCY_KEY, "must be 1 to 128 printable ASCII characters"));
        }
        return tasks.submit(body, resolved, access.caller(), idempotencyKey)
                .map(s -> (s.created() ? Response.created(uri.getAbsolutePathBuilder().path(s.task().id).build())
                        : Response.ok()).entity(TaskViews.of(s.task(), Instant.now())).build());
    }

    @GET
    @Operation(summary = "List tasks", description = "Newest first, of the caller's projects (or `project`); "
            + "`status` filters (comma-separated, e.g. running,pending).")
    public Uni<List<TaskView>> list(@QueryParam("limit") @DefaultValue("50") int limit,
                                    @QueryParam("status") String status, @QueryParam("project") String project) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ValidationError.of(FieldError.of("limit", "must be between 1 and " + MAX_LIMIT));
        }
        Set<String> projects = project == null || project.isBlank() ? access.projects() : Set.of(access.resolve(project));
        List<String> statuses = statuses(status);
        return tasks.list(projects, statuses, limit).map(list -> {
            Instant now = Instant.now();
            return list.stream().map(t -> TaskViews.of(t, now)).toList();
        });
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a task", description = "404 when it does not exist or belongs to another project.")
    public Uni<TaskView> get(@PathParam("id") String id) {
        return tasks.get(id, access.projects()).map(t -> TaskViews.of(t, Instant.now()));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Cancel a task", description = "Cancels the bid and publishes CancelRequested. 202 with "
            + "the task while the cancel is under way; 200 when the task had already finished (nothing done).")
    public Uni<Response> cancel(@PathParam("id") String id) {
        return tasks.cancelByUser(id, access.projects(), access.caller()).map(TaskResource::cancelled);
    }

    @POST
    @Path("{id}/stop")
    @Operation(summary = "Stop a task", description = "The same as DELETE /v1/tasks/{id}.")
    public Uni<Response> stop(@PathParam("id") String id) {
        return cancel(id);
    }

    private static Response cancelled(TaskStore.CancelOutcome outcome) {
        return Response.status(outcome.alreadyFinished() ? Response.Status.OK : Response.Status.ACCEPTED)
                .entity(TaskViews.of(outcome.task(), Instant.now())).build();
    }

    private static List<String> statuses(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        List<FieldError> errors = new ArrayList<>();
        for (String part : text.split(",")) {
            try {
                out.add(TaskStatus.parse(part).json());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("status", "unknown status `" + part.strip() + "`; expected one of "
                        + Arrays.stream(TaskStatus.values()).map(TaskStatus::json).toList(), null));
            }
        }
        if (!errors.isEmpty()) {
            throw ValidationError.of(errors);
        }
        return new ArrayList<>(out);
    }
}
