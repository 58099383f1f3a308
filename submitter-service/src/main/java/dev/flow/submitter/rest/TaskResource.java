package dev.flow.submitter.rest;

import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.status.TaskStatus;
import dev.flow.service.rest.PathIds;
import dev.flow.service.rest.QueryParams;
import dev.flow.model.task.TaskConfig;
import dev.flow.service.security.ProjectAccess;
import dev.flow.submitter.domain.TaskEntity;
import dev.flow.submitter.repository.TaskRepository;
import dev.flow.submitter.service.TaskService;
import dev.flow.submitter.service.TaskStore;
import dev.flow.submitter.service.VolumeService;
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
import org.eclipse.microprofile.openapi.annotations.media.Schema;
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

    static final java.util.regex.Pattern TASK_NAME_OR_PREFIX = java.util.regex.Pattern.compile("^[A-Za-z0-9_-]{1,64}$");

    private final TaskService tasks;
    private final VolumeService volumes;
    private final ProjectAccess access;

    public TaskResource(TaskService tasks, VolumeService volumes, ProjectAccess access) {
        this.tasks = tasks;
        this.volumes = volumes;
        this.access = access;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON) // text/plain or none: 415 problem+json, never read as JSON anyway
    @Operation(summary = "Submit a task", description = "Body: a TaskConfig (snake_case). Places a Mithril spot bid "
            + "named flow-<task_id>. 201 with the Task; 422 application/problem+json naming each bad field.")
    // the body is read as a String by TaskConfigs' strict reader, so the schema is named here, not inferred
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = TaskConfig.class), examples = @ExampleObject(name = "hello",
            value = "{\"name\":\"hello\",\"instance_type\":\"a100\",\"command\":\"echo hello; sleep 3\","
                    + "\"env\":{\"EPOCHS\":\"3\"},\"max_price_per_hour\":12.5}")))
    @APIResponse(responseCode = "201", description = "the task, pending", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TaskView.class)))
    @APIResponse(responseCode = "200", description = "an Idempotency-Key replay: the task the key first created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TaskView.class)))
    @APIResponse(responseCode = "415", description = "a Content-Type other than application/json")
    @APIResponse(responseCode = "422", description = "ValidationError: a bad field (named, with a suggestion), or an "
            + "Idempotency-Key reused with another body")
    @APIResponse(responseCode = "409", description = "InsufficientQuotaError: the project's spot quota of the type is "
            + "too small for num_instances (checked before the bid; Mithril's refusal while placing maps to it too)")
    @APIResponse(responseCode = "503", description = "FlowError: Mithril did not say whether the bid was placed; the "
            + "task is kept and the reconciler adopts the bid or fails the task")
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
    @Operation(summary = "List tasks", description = "Newest first (created_at, then id), of the caller's projects "
            + "(or `project`). `status` filters (comma-separated, e.g. running,pending); `name` is exact, or a prefix "
            + "when it ends with `*` (`train*`). Cursor paging: pass the page's `next_cursor` as `cursor` (with the "
            + "same filters) for the next page; it is null on the last page. Keyset paging on (created_at, id): "
            + "tasks created meanwhile never shift or repeat a page. Bad values → 422 naming the parameter.")
    @APIResponse(responseCode = "200", description = "a page of tasks", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TaskPage.class),
            examples = @ExampleObject(name = "page", value = "{\"data\": [{\"task_id\": \"task-0k3x9q2m7a1b4c5d\", "
                    + "\"name\": \"train\", \"status\": \"running\"}], \"next_cursor\": \"dDF8MTc2NDQ0...\"}")))
    @APIResponse(responseCode = "422", description = "a bad limit, status, name or cursor")
    public Uni<TaskPage> list(@QueryParam("limit") String limitText,
                              @QueryParam("status") String status, @QueryParam("name") String name,
                              @QueryParam("cursor") String cursor, @QueryParam("project") String project) {
        List<FieldError> errors = new ArrayList<>();
        Integer parsed = QueryParams.intIn("limit", limitText, 1, MAX_LIMIT, 50, errors);
        if (!errors.isEmpty()) {
            throw ValidationError.of(errors);
        }
        int limit = parsed;
        Set<String> projects = project == null || project.isBlank() ? access.projects() : Set.of(access.resolve(project));
        List<String> statuses = statuses(status);
        boolean prefix = name != null && name.endsWith("*");
        String exact = name == null ? null : prefix ? name.substring(0, name.length() - 1) : name;
        // the characters of a task name only: anything else matches no task, and a NUL would fail in PostgreSQL
        if (exact != null && !TASK_NAME_OR_PREFIX.matcher(exact).matches()) {
            throw ValidationError.of(new FieldError("name", "must be a task name (1 to 64 characters), or a prefix "
                    + "ending with a single `*`", "name=train or name=train*"));
        }
        TaskRepository.Position after = cursor == null || cursor.isEmpty() ? null : TaskCursor.decode(cursor);
        // one row more than asked tells whether there is a next page without a second query
        return tasks.list(projects, statuses, exact, prefix, after, limit + 1).map(rows -> {
            Instant now = Instant.now();
            List<TaskEntity> page = rows.size() > limit ? rows.subList(0, limit) : rows;
            String next = null;
            if (rows.size() > limit) {
                TaskEntity last = page.getLast();
                next = TaskCursor.encode(new TaskRepository.Position(last.createdAt, last.id));
            }
            return new TaskPage(page.stream().map(t -> TaskViews.of(t, now)).toList(), next);
        });
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a task", description = "404 when it does not exist or belongs to another project.")
    public Uni<TaskView> get(@PathParam("id") String id) {
        return tasks.get(PathIds.require("task", id), access.projects()).map(t -> TaskViews.of(t, Instant.now()));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Cancel a task", description = "Cancels the bid and publishes CancelRequested. 202 with "
            + "the task while the cancel is under way; 200 when the task had already finished (nothing done).")
    public Uni<Response> cancel(@PathParam("id") String id) {
        return tasks.cancelByUser(PathIds.require("task", id), access.projects(), access.caller()).map(TaskResource::cancelled);
    }

    @POST
    @Path("{id}/stop")
    @Operation(summary = "Stop a task", description = "The same as DELETE /v1/tasks/{id}.")
    public Uni<Response> stop(@PathParam("id") String id) {
        return cancel(id);
    }

    @POST
    @Path("{id}/volumes")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Mount a volume to a task", description = "The seed's mount_volume(volume_id, task_id). "
            + "Mithril changes a bid's volumes only while the bid is paused: a running task's bid is paused, its "
            + "volumes patched and resumed, so its instances are replaced and the workload starts again with the "
            + "volume attached (block volumes in attach order: block_index 0 is /dev/vdb, 1 is /dev/vdc, ...). "
            + "mount_path (default /volumes/<name>) is recorded in the task's config. Errors: unknown task or volume "
            + "→ 404 ResourceNotFoundError; another region or already attached → 422 ValidationError on `volume`; "
            + "a task that ended → 409 TaskExecutionError.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation =
            MountVolumeRequest.class), examples = @ExampleObject(name = "mount",
            value = "{\"volume\": \"training-data\", \"mount_path\": \"/data\"}")))
    @APIResponse(responseCode = "200", description = "attached", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = MountView.class)))
    public Uni<MountView> mount(@PathParam("id") String id, MountVolumeRequest request) {
        PathIds.require("task", id);
        List<FieldError> errors = new ArrayList<>();
        if (request == null || request.volume() == null || request.volume().isBlank()) {
            errors.add(new FieldError("volume", "is required: a volume id (vol_…) or name", "training-data"));
        }
        String path = request == null ? null : request.mountPath();
        if (path != null && (!path.startsWith("/") || path.equals("/") || path.contains("\u0000")
                || java.util.Arrays.asList(path.split("/")).contains("..") || path.length() > 4096)) {
            errors.add(new FieldError("mount_path", "must be an absolute path other than / without `..`", "/data"));
        }
        if (!errors.isEmpty()) {
            throw ValidationError.of(errors);
        }
        return volumes.mount(id, access.projects(), request.volume().strip(), path).map(m -> new MountView(
                m.task().id, m.volume().fid(), m.volume().name(), m.mountPath(), m.volume().region(), m.blockIndex(),
                m.restarted(), TaskViews.of(m.task(), Instant.now())));
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
