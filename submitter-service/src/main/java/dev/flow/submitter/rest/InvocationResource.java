package dev.flow.submitter.rest;

import dev.flow.service.rest.PathIds;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;
import dev.flow.service.security.ProjectAccess;
import dev.flow.submitter.service.InvocationService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The seed's {@code invoke(module, function, args, kwargs, gpu, **config)}: a function call run as a task. */
@Path("/v1/invocations")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "invocations")
public class InvocationResource {

    private final InvocationService invocations;
    private final ProjectAccess access;

    public InvocationResource(InvocationService invocations, ProjectAccess access) {
        this.invocations = invocations;
        this.access = access;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Invoke a function remotely (invoke)", description = "Submits a task that imports "
            + "`module_source` as `module_name`, calls `function(*args, **kwargs)` and prints its JSON result, which "
            + "`GET /v1/invocations/{id}` returns. `gpu` (or `instance_type`, `min_gpu_memory_gb`) and the other "
            + "TaskConfig options (`max_price_per_hour`, `region`, `env`, `ssh_keys`, `image` — default "
            + "`python:3.12-slim` —, `volumes`, `max_run_time_hours`, `name`) are the task's. Optional header "
            + "`Idempotency-Key` as for tasks. 422 application/problem+json naming each bad field.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "fit",
            value = InvocationRequest.EXAMPLE)))
    @APIResponse(responseCode = "201", description = "the invocation, pending", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "pending", value =
            "{\"id\":\"inv-0k3x9q2m7a1b4c5d\",\"task_id\":\"task-0k3x9q2m7a1b4c5d\",\"status\":\"pending\","
                    + "\"result\":null,\"error\":null,\"module_name\":\"train\",\"function\":\"fit\","
                    + "\"task_status\":\"pending\",\"created_at\":\"2026-11-29T21:00:00Z\",\"finished_at\":null}")))
    @APIResponse(responseCode = "200", description = "an Idempotency-Key replay: the invocation the key first created")
    public Uni<Response> invoke(@QueryParam("project") String project,
                                @HeaderParam(TaskResource.IDEMPOTENCY_KEY) String idempotencyKey, String body,
                                @Context UriInfo uri) {
        String resolved = access.resolve(project);
        if (idempotencyKey != null && !TaskResource.IDEMPOTENCY_KEY_FORMAT.matcher(idempotencyKey).matches()) {
            throw ValidationError.of(FieldError.of(TaskResource.IDEMPOTENCY_KEY,
                    "must be 1 to 128 printable ASCII characters"));
        }
        InvocationRequest request = InvocationRequest.parse(body);
        return invocations.submit(request.toCall(), resolved, access.caller(), idempotencyKey)
                .map(s -> (s.created()
                        ? Response.created(uri.getAbsolutePathBuilder().path(s.view().invocation().id).build())
                        : Response.ok()).entity(InvocationView.of(s.view())).build());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get an invocation", description = "status pending | running | succeeded | failed; "
            + "`result` (any JSON) once succeeded, `error` {type, message, traceback} once failed. 404 when it "
            + "does not exist or belongs to another project.")
    @APIResponse(responseCode = "200", description = "the invocation", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = {
            @ExampleObject(name = "succeeded", value = "{\"id\":\"inv-0k3x9q2m7a1b4c5d\",\"task_id\":"
                    + "\"task-0k3x9q2m7a1b4c5d\",\"status\":\"succeeded\",\"result\":{\"loss\":0.12},\"error\":null,"
                    + "\"module_name\":\"train\",\"function\":\"fit\",\"task_status\":\"running\",\"created_at\":"
                    + "\"2026-11-29T21:00:00Z\",\"finished_at\":\"2026-11-29T21:03:10Z\"}"),
            @ExampleObject(name = "failed", value = "{\"id\":\"inv-0k3x9q2m7a1b4c5d\",\"task_id\":"
                    + "\"task-0k3x9q2m7a1b4c5d\",\"status\":\"failed\",\"result\":null,\"error\":{\"type\":"
                    + "\"ZeroDivisionError\",\"message\":\"division by zero\",\"traceback\":\"Traceback (most recent "
                    + "call last): …\"},\"module_name\":\"train\",\"function\":\"fit\",\"task_status\":\"completed\","
                    + "\"created_at\":\"2026-11-29T21:00:00Z\",\"finished_at\":\"2026-11-29T21:00:41Z\"}")}))
    public Uni<InvocationView> get(@PathParam("id") String id) {
        return invocations.get(PathIds.require("invocation", id), access.projects()).map(InvocationView::of);
    }
}
