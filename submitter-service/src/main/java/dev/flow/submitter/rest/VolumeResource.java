package dev.flow.submitter.rest;

import dev.flow.service.rest.PathIds;
import dev.flow.model.error.FieldError;
import dev.flow.service.rest.QueryParams;
import dev.flow.model.error.ValidationError;
import dev.flow.service.security.ProjectAccess;
import dev.flow.submitter.service.VolumeService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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

import java.util.ArrayList;
import java.util.List;

/** The seed's {@code create_volume / list_volumes / delete_volume}, for one project (named, or the token's first). */
@Path("/v1/volumes")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "volumes")
public class VolumeResource {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final VolumeService volumes;
    private final ProjectAccess access;

    public VolumeResource(VolumeService volumes, ProjectAccess access) {
        this.volumes = volumes;
        this.access = access;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a volume", description = "Body {size_gb, name?, interface: block|file, region?}. "
            + "201 with the Volume; 200 with the existing one when the project already has a volume of that name, "
            + "size and interface in the region; 422 naming each bad field.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "data",
            value = "{\"size_gb\": 100, \"name\": \"training-data\", \"interface\": \"block\"}")))
    @APIResponse(responseCode = "201", description = "created")
    @APIResponse(responseCode = "200", description = "it existed already (same name, size and interface)")
    public Uni<Response> create(@QueryParam("project") String project, String body, @Context UriInfo uri) {
        String resolved = access.resolve(project);
        VolumeRequest.Parsed request = VolumeRequest.parse(body);
        return volumes.create(resolved, request.spec(), request.region()).map(v -> (v.created()
                ? Response.created(uri.getAbsolutePathBuilder().path(v.volume().fid()).build())
                : Response.ok()).entity(VolumeView.of(v, resolved)).build());
    }

    @GET
    @Operation(summary = "List volumes", description = "The project's live volumes, newest first.")
    public Uni<List<VolumeView>> list(@QueryParam("project") String project, @QueryParam("limit") String limit) {
        String resolved = access.resolve(project);
        List<FieldError> errors = new ArrayList<>();
        Integer max = QueryParams.intIn("limit", limit, 1, MAX_LIMIT, DEFAULT_LIMIT, errors);
        if (!errors.isEmpty()) {
            throw ValidationError.of(errors);
        }
        return volumes.list(resolved, max).map(list -> list.stream().map(v -> VolumeView.of(v, resolved)).toList());
    }

    @DELETE
    @Path("{volume}")
    @Operation(summary = "Delete a volume", description = "By id (vol_…) or name. 204; 409 while a bid that has "
            + "not ended uses it (the problem names the task); 404 when the project has no such volume.")
    @APIResponse(responseCode = "204", description = "deleted")
    public Uni<Response> delete(@PathParam("volume") String volume, @QueryParam("project") String project) {
        String resolved = access.resolve(project);
        return volumes.delete(resolved, PathIds.require("volume", volume)).map(ignored -> Response.noContent().build());
    }
}
