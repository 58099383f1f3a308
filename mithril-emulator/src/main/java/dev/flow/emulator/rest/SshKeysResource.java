package dev.flow.emulator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.emulator.api.Body;
import dev.flow.emulator.api.Models.CreatedSshKeyModel;
import dev.flow.emulator.api.Models.NewSshKeyModel;
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

/** SSH keys; {@code POST} without {@code public_key} generates a pair and returns the private key once. */
@Path("/v2/ssh-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SshKeysResource {

    private final EmulatorEngine engine;

    public SshKeysResource(EmulatorEngine engine) {
        this.engine = engine;
    }

    @GET
    public List<NewSshKeyModel> list(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                     @QueryParam("project") String project) {
        Query q = new Query();
        q.required("project", project);
        q.failIfErrors();
        return engine.listSshKeys(Callers.of(engine, auth), project);
    }

    @POST
    @ResponseStatus(201)
    public CreatedSshKeyModel create(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, JsonNode json) {
        Body body = new Body(json);
        String project = body.string(true, "project");
        String name = body.string(true, "name");
        String publicKey = body.string(false, "public_key");
        Boolean required = body.bool(false, "required");
        body.failIfErrors();
        return engine.createSshKey(Callers.of(engine, auth),
                new Requests.CreateSshKey(project, name, publicKey, Boolean.TRUE.equals(required)));
    }

    @PATCH
    @Path("/{ssh_key_fid}")
    public NewSshKeyModel update(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                 @PathParam("ssh_key_fid") String fid, JsonNode json) {
        Body body = new Body(json);
        Boolean required = body.bool(true, "required");
        body.failIfErrors();
        return engine.updateSshKey(Callers.of(engine, auth), fid, required);
    }

    @DELETE
    @Path("/{ssh_key_fid}")
    public void delete(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("ssh_key_fid") String fid) {
        engine.deleteSshKey(Callers.of(engine, auth), fid);
    }
}
