package dev.flow.emulator.rest;

import dev.flow.emulator.api.Models.MeResponse;
import dev.flow.emulator.api.Models.ProjectModel;
import dev.flow.emulator.api.Models.QuotaModel;
import dev.flow.emulator.api.Query;
import dev.flow.emulator.service.EmulatorEngine;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** Projects, profile and quotas. */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {

    private final EmulatorEngine engine;

    public AccountResource(EmulatorEngine engine) {
        this.engine = engine;
    }

    @GET
    @Path("/projects")
    public List<ProjectModel> projects(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return engine.projects(Callers.of(engine, auth));
    }

    @GET
    @Path("/me")
    public MeResponse me(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return engine.me(Callers.of(engine, auth));
    }

    @GET
    @Path("/quotas")
    public List<QuotaModel> quotas(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                   @QueryParam("project") String project) {
        Query q = new Query();
        q.required("project", project);
        q.failIfErrors();
        return engine.quotas(Callers.of(engine, auth), project);
    }
}
