package dev.flow.emulator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.emulator.api.Body;
import dev.flow.emulator.api.Models.VolumeModel;
import dev.flow.emulator.api.Query;
import dev.flow.emulator.service.EmulatorEngine;
import dev.flow.emulator.service.Requests;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.flow.emulator.rest.BidsResource.blank;

/** Persistent volumes; attached to bids through their launch specification. */
@Path("/v2/volumes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class VolumesResource {

    private static final Pattern NAME = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
    /** SPEC bound: size below 2 PiB. */
    private static final long MAX_GB = 2L * 1024 * 1024;

    private final EmulatorEngine engine;

    public VolumesResource(EmulatorEngine engine) {
        this.engine = engine;
    }

    @GET
    public List<VolumeModel> list(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                  @QueryParam("project") String project, @QueryParam("region") String region,
                                  @QueryParam("include_deleted") String includeDeleted) {
        Query q = new Query();
        q.required("project", project);
        boolean deleted = q.bool("include_deleted", includeDeleted, false);
        q.failIfErrors();
        return engine.listVolumes(Callers.of(engine, auth), project, blank(region), deleted);
    }

    @POST
    @ResponseStatus(201)
    public VolumeModel create(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, JsonNode json) {
        Body body = new Body(json);
        String name = name(body);
        String project = body.string(true, "project");
        String diskInterface = body.oneOf(Set.of("Block", "File"), true, "disk_interface");
        String region = body.string(true, "region");
        Integer size = body.integer(true, "size_gb");
        if (size != null && (size <= 0 || size >= MAX_GB)) {
            body.error("Size must be greater than 0 GB and less than 2 PiB", "value_error", "size_gb");
        }
        body.failIfErrors();
        return engine.createVolume(Callers.of(engine, auth),
                new Requests.CreateVolume(name, project, diskInterface, region, size));
    }

    private static String name(Body body) {
        String name = body.string(true, "name");
        if (name != null && name.length() > 64) {
            body.error("String should have at most 64 characters", "string_too_long", "name");
        } else if (name != null && !NAME.matcher(name).matches()) {
            body.error("String should match pattern '" + NAME.pattern() + "'", "string_pattern_mismatch", "name");
        }
        return name;
    }

    @PATCH
    @Path("/{volume_fid}")
    public VolumeModel rename(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                              @PathParam("volume_fid") String fid, JsonNode json) {
        Body body = new Body(json);
        String name = name(body);
        body.failIfErrors();
        return engine.renameVolume(Callers.of(engine, auth), fid, name);
    }

    @DELETE
    @Path("/{volume_fid}")
    public void delete(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("volume_fid") String fid) {
        engine.deleteVolume(Callers.of(engine, auth), fid);
    }
}
